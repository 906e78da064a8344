import ArgumentParser
import Foundation
import IMAPClient
import Logging
import Migration

struct ProbeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "Pre-flight check of an IMAP account: capabilities, namespaces, folders, sizes, warnings.",
        discussion: """
            The password comes from --password-file (its first line), else MAILFERRY_SOURCE_PASSWORD, else a prompt on a \
            terminal; never the command line. Exit 0 when the login works, 2 for bad input, 3 when it cannot connect or log in.

            Examples:
              mailferry probe imaps://user@imap.example.com
              mailferry probe imap://user@imap.example.com:143 --json
              mailferry probe imaps://user@[2001:db8::1]:993 --ca-file ca.pem
            """)

    @Argument(help: "imaps://user@host[:port] (implicit TLS) or imap://user@host[:port] (STARTTLS when offered).")
    var endpoint: String

    @Option(name: .customLong("password-file"), help: "File whose first line is the password.")
    var passwordFile: String?

    @OptionGroup var connection: ConnectionOptions

    @Flag(help: "Print the report as JSON.")
    var json = false

    func run() async throws {
        try await reportingFailures {
            let parsed = try parseEndpoint(endpoint)
            let password = try PasswordSource.source(file: passwordFile, for: parsed).readForCommand()
            let report = try await AccountProbe(configuration: connection.clientConfiguration(for: parsed)).run(
                password: password)
            try emit(report, json: json, text: report.text)
        }
    }
}
