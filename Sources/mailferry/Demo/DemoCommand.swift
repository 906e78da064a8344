import ArgumentParser
import DovecotHarness
import Foundation
import Glibc
import IMAPClient
import IMAPCore
import Logging
import Migration

/// Shows the product on an embedded default: a private Dovecot with a sample mailbox, probed
/// exactly as an admin would probe a real server. No account of your own needed.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Start a local Dovecot with a sample mailbox and run mailferry against it (needs root and dovecot-imapd).")

    @ArgumentParser.Flag(help: "Print the report as JSON.")
    var json = false

    @ArgumentParser.Flag(name: .customLong("keep-running"), help: "Keep the demo server up and print how to probe it yourself.")
    var keepRunning = false

    func run() async throws {
        let user = "demo@example.com"
        let password = "Demo-Passw0rd"
        emit("Starting a private Dovecot on 127.0.0.1 …")
        let server: DovecotServer
        do {
            server = try DovecotServer.start(DovecotConfiguration(users: [DovecotUser(name: user, password: password)]))
        } catch {
            FileHandle.standardError.write(Data("mailferry: cannot start the demo Dovecot: \(error)\n".utf8))
            throw ExitCode.badInput
        }
        defer { server.stop() }
        let configuration = IMAPClientConfiguration(
            endpoint: IMAPEndpoint(host: server.host, port: server.imapsPort, user: user, security: .implicitTLS),
            tls: TLSConfiguration(caFile: server.caFile))
        try await seed(configuration, password: password)
        emit("Probing \(configuration.endpoint) …\n")
        let report = try await AccountProbe(configuration: configuration).run(password: password)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            emit(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            emit(report.text)
        }
        if keepRunning {
            emit("\nThe demo server runs until you press Ctrl-C. Try:\n"
                  + "  MAILFERRY_SOURCE_PASSWORD='\(password)' mailferry probe \(configuration.endpoint) --ca-file \(server.caFile)\n")
            signal(SIGINT) { _ in Glibc.exit(0) }
            while true { try await Task.sleep(for: .seconds(3600)) }
        }
    }

    private func seed(_ configuration: IMAPClientConfiguration, password: String) async throws {
        let client = IMAPClient(configuration: configuration)
        try await client.connect()
        try await client.login(password: password)
        var total = 0
        for folder in DemoCorpus.folders() {
            let name = MailboxName(folder.name)
            if !name.isInbox && !["Sent", "Drafts"].contains(folder.name) { try await client.create(name) }
            let outcomes = try await client.append(folder.messages, to: name)
            total += outcomes.count
        }
        await client.logout()
        emit("Loaded \(total) sample messages.")
    }
}

/// Writes a line to stdout unbuffered, so it shows at once even when stdout is a pipe or file.
func emit(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}
