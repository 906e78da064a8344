import ArgumentParser
import Foundation
import IMAPClient
import Migration

/// `--target` plus its password, the folder-mapping flags and `--propagate-deletes`.
struct TargetOptions: ParsableArguments {
    @Option(help: "Target account: imaps://user@host[:port] or imap://user@host[:port].")
    var target: String

    @Option(
        name: .customLong("target-password-file"),
        help: "File whose first line is the target password (else MAILFERRY_TARGET_PASSWORD, else a prompt).")
    var targetPasswordFile: String?

    @OptionGroup var mapping: FolderMappingOptions

    @ArgumentParser.Flag(
        name: .customLong("propagate-deletes"), help: "Delete on the target what was deleted at the source.")
    var propagateDeletes = false

    func endpoint() throws -> IMAPEndpoint { try parseEndpoint(target) }

    func password(for endpoint: IMAPEndpoint) throws -> String {
        try PasswordSource.target(file: targetPasswordFile, for: endpoint).readForCommand()
    }

    func rules() throws -> [FolderMapping.Rule] { try mapping.rules() }
    func validatedExcludes() throws -> [String] { try mapping.validatedExcludes() }
}

/// `--map` and `--exclude`: how push (and verify, to agree with it) maps source folders.
struct FolderMappingOptions: ParsableArguments {
    @Option(name: .customLong("map"), help: "Folder mapping OLD=NEW (source name = target name); repeatable.")
    var maps: [String] = []

    @Option(
        name: .customLong("exclude"),
        help: "Skip source folders whose name matches this regular expression; repeatable.")
    var excludes: [String] = []

    func rules() throws -> [FolderMapping.Rule] {
        try maps.map { text in
            guard let rule = FolderMapping.Rule(parsing: text) else {
                throw CommandFailure(message: "--map \(text): expected OLD=NEW", exitCode: .badInput)
            }
            return rule
        }
    }

    func validatedExcludes() throws -> [String] {
        for pattern in excludes where (try? NSRegularExpression(pattern: pattern)) == nil {
            throw CommandFailure(message: "--exclude \(pattern): not a valid regular expression", exitCode: .badInput)
        }
        return excludes
    }
}
