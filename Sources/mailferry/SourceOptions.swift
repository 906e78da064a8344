import ArgumentParser
import Foundation
import IMAPClient
import IMAPCore

/// `--source` plus how to get its password, shared by commands that read a source account.
struct SourceOptions: ParsableArguments {
    @Option(help: "Source account: imaps://user@host[:port] or imap://user@host[:port].")
    var source: String

    @Option(
        name: .customLong("source-password-file"),
        help: "File whose first line is the source password (else MAILFERRY_SOURCE_PASSWORD, else a prompt).")
    var sourcePasswordFile: String?

    func endpoint() throws -> IMAPEndpoint { try parseEndpoint(source) }

    func password(for endpoint: IMAPEndpoint) throws -> String {
        try PasswordSource.source(file: sourcePasswordFile, for: endpoint).readForCommand()
    }
}

/// An error already worded for the user, with the exit code it maps to.
struct CommandFailure: Error {
    let message: String
    let exitCode: ExitCode
}

/// An endpoint URL from the command line; a malformed one is bad input (exit 2).
func parseEndpoint(_ text: String) throws -> IMAPEndpoint {
    do { return try IMAPEndpoint(parsing: text) } catch {
        throw CommandFailure(message: "\(error)", exitCode: .badInput)
    }
}
