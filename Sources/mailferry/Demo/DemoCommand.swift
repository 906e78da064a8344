import ArgumentParser
import DovecotHarness
import Foundation
import Glibc
import IMAPClient
import IMAPCore
import Logging
import MailCorpus
import Migration

/// Shows the whole product on an embedded default: a source and a target Dovecot (different
/// separators, different special-use names), a sample mailbox, then probe → migrate → verify
/// exactly as an admin would run them. No account of your own needed.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Migrate a sample mailbox between two local Dovecots and verify it (needs root and dovecot-imapd).")

    @ArgumentParser.Flag(name: .customLong("keep-running"), help: "Keep both demo servers up and print how to use them yourself.")
    var keepRunning = false

    func run() async throws {
        let password = "Demo-Passw0rd"
        emit("Starting a source and a target Dovecot on 127.0.0.1 …")
        let source: DovecotServer, target: DovecotServer
        do {
            source = try DovecotServer.start(DovecotConfiguration(users: [DovecotUser(name: "demo@example.com", password: password)]))
            target = try DovecotServer.start(DovecotConfiguration(
                users: [DovecotUser(name: "demo@cloudmail.example", password: password)], hierarchySeparator: "/",
                specialUseFolders: ["Sent Items": "\\Sent", "Drafts": "\\Drafts", "Deleted Items": "\\Trash", "Junk E-mail": "\\Junk"]))
        } catch {
            FileHandle.standardError.write(Data("mailferry: cannot start the demo Dovecots: \(error)\n".utf8))
            throw ExitCode.badInput
        }
        defer { target.stop(); source.stop() }
        let store = NSTemporaryDirectory() + "mailferry-demo-" + String(UUID().uuidString.prefix(8))
        defer { if !keepRunning { try? FileManager.default.removeItem(atPath: store) } }
        let sourceConfiguration = IMAPClientConfiguration(
            endpoint: IMAPEndpoint(host: source.host, port: source.imapsPort, user: "demo@example.com", security: .implicitTLS),
            tls: TLSConfiguration(caFile: source.caFile))
        let targetConfiguration = IMAPClientConfiguration(
            endpoint: IMAPEndpoint(host: target.host, port: target.imapsPort, user: "demo@cloudmail.example", security: .implicitTLS),
            tls: TLSConfiguration(caFile: target.caFile))
        try FileManager.default.createDirectory(atPath: store, withIntermediateDirectories: true)
        try await seed(sourceConfiguration, password: password, scratch: store)

        emit("\n$ mailferry probe \(sourceConfiguration.endpoint)\n")
        emit(try await AccountProbe(configuration: sourceConfiguration).run(password: password).text)

        emit("\n$ mailferry migrate --source \(sourceConfiguration.endpoint) --target \(targetConfiguration.endpoint)\n")
        let pull = PullOptions(source: sourceConfiguration, storeRoot: store, job: "demo", connections: 3)
        let push = PushOptions(target: targetConfiguration, storeRoot: store, job: "demo", connections: 3)
        let progress = TransferProgress()
        let printer = ProgressPrinter(progress: progress)
        printer.start()
        let migrated = try await MigrateEngine(pull: pull, push: push, progress: progress).run(sourcePassword: password, targetPassword: password)
        printer.stop()
        emit(migrated.text)

        emit("\n$ mailferry verify --job demo --target \(targetConfiguration.endpoint)\n")
        let report = try await VerifyEngine(target: targetConfiguration, storeRoot: store, job: "demo").run(targetPassword: password)
        emit(report.text)

        if keepRunning {
            emit("""

            The demo servers run until you press Ctrl-C. The password of both accounts is \(password). Try:
              export MAILFERRY_SOURCE_PASSWORD='\(password)' MAILFERRY_TARGET_PASSWORD='\(password)'
              cat \(source.caFile) \(target.caFile) > /tmp/demo-ca.pem
              mailferry verify --store \(store) --job demo --target \(targetConfiguration.endpoint) --ca-file /tmp/demo-ca.pem --deep
              mailferry inspect \(store)/demo/archives/*.tar

            """)
            signal(SIGINT) { _ in Glibc.exit(0) }
            while true { try await Task.sleep(for: .seconds(3600)) }
        }
        if !report.isEqual { throw ExitCode.partialFailure }
    }

    /// The test corpus, small: nested, Czech and Cyrillic folders, every flag, keywords, a
    /// message without Message-ID, bare LF, 8-bit text and one 300 KB attachment.
    private func seed(_ configuration: IMAPClientConfiguration, password: String, scratch: String) async throws {
        let client = IMAPClient(configuration: configuration)
        try await client.connect()
        try await client.login(password: password)
        let folders = try CorpusGenerator(spec: CorpusSpec(messagesPerFolder: 4, largeMessageBytes: 300_000),
                                          scratchDirectory: scratch).folders()
        let total = try await CorpusLoader(client: client).load(folders, separator: ".")
        await client.logout()
        emit("Loaded \(total) sample messages into the source.")
    }
}

/// Writes a line to stdout unbuffered, so it shows at once even when stdout is a pipe or file.
func emit(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}
