import ArgumentParser
import Foundation
import IMAPClient
import Logging
import Migration

struct ProbeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "Pre-flight check of an IMAP account: capabilities, namespaces, folders, sizes, warnings.",
        discussion: "The password comes from MAILFERRY_SOURCE_PASSWORD, --password-file, or a prompt; never the command line.")

    @Argument(help: "imaps://user@host[:port] (implicit TLS) or imap://user@host[:port] (STARTTLS when offered).")
    var endpoint: String

    @Option(name: .customLong("password-file"), help: "File whose first line is the password.")
    var passwordFile: String?

    @OptionGroup var connection: ConnectionOptions

    @Flag(help: "Print the report as JSON.")
    var json = false

    func run() async throws {
        try await reportingFailures {
            let parsed: IMAPEndpoint
            do { parsed = try IMAPEndpoint(parsing: endpoint) } catch {
                throw CommandFailure(message: "\(error)", exitCode: .badInput)
            }
            let password: String
            do {
                password = try PasswordSource(environmentVariable: "MAILFERRY_SOURCE_PASSWORD", file: passwordFile,
                                              prompt: "Password for \(parsed): ").read()
            } catch {
                throw CommandFailure(message: "\(error)", exitCode: .badInput)
            }
            let report = try await AccountProbe(configuration: connection.clientConfiguration(for: parsed)).run(password: password)
            try emit(report, json: json, text: report.text)
        }
    }
}
