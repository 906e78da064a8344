import ArgumentParser
import Foundation
import IMAPClient
import IMAPCore

/// `--source` plus how to get its password, shared by commands that read a source account.
struct SourceOptions: ParsableArguments {
    @Option(help: "Source account: imaps://user@host[:port] or imap://user@host[:port].")
    var source: String

    @Option(name: .customLong("source-password-file"), help: "File whose first line is the source password (else MAILFERRY_SOURCE_PASSWORD, else a prompt).")
    var sourcePasswordFile: String?

    func endpoint() throws -> IMAPEndpoint {
        do { return try IMAPEndpoint(parsing: source) } catch {
            throw CommandFailure(message: "\(error)", exitCode: .badInput)
        }
    }

    func password(for endpoint: IMAPEndpoint) throws -> String {
        do {
            return try PasswordSource(environmentVariable: "MAILFERRY_SOURCE_PASSWORD", file: sourcePasswordFile,
                                      prompt: "Password for \(endpoint): ").read()
        } catch {
            throw CommandFailure(message: "\(error)", exitCode: .badInput)
        }
    }
}

/// An error already worded for the user, with the exit code it maps to.
struct CommandFailure: Error {
    let message: String
    let exitCode: ExitCode
}
