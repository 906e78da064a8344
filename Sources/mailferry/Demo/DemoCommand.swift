import ArgumentParser
import DovecotHarness
import Foundation
import Glibc
import IMAPClient
import IMAPCore
import Logging
import MailCorpus
import Migration
import Web

/// Shows the whole product on an embedded default: a source and a target Dovecot (different
/// separators, different special-use names), a sample mailbox, then probe → migrate → verify
/// exactly as an admin would run them. No account of your own needed.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Migrate a sample mailbox between two local Dovecots and verify it (needs root and dovecot-imapd).")

    @ArgumentParser.Flag(
        name: .customLong("keep-running"), help: "Keep both demo servers up and print how to use them yourself.")
    var keepRunning = false
    @ArgumentParser.Flag(
        name: .customLong("web"),
        help: "Instead of migrating here, serve the web form (pre-filled for the demo servers) on 127.0.0.1:8080.")
    var web = false
    @Option(help: "With --web: the address and port to serve on.") var listen = "127.0.0.1:8080"

    func run() async throws {
        let password = "Demo-Passw0rd"
        emit("Starting a source and a target Dovecot on 127.0.0.1 …")
        let source: DovecotServer, target: DovecotServer
        do {
            source = try DovecotServer.start(
                DovecotConfiguration(users: [DovecotUser(name: "demo@example.com", password: password)]))
            target = try DovecotServer.start(
                DovecotConfiguration(
                    users: [DovecotUser(name: "demo@cloudmail.example", password: password)], hierarchySeparator: "/",
                    specialUseFolders: [
                        "Sent Items": "\\Sent", "Drafts": "\\Drafts", "Deleted Items": "\\Trash",
                        "Junk E-mail": "\\Junk",
                    ]))
        } catch {
            StandardStreams.err("mailferry: cannot start the demo Dovecots: \(error)\n")
            throw ExitCode.badInput
        }
        defer { target.stop(); source.stop() }
        // Ctrl-C, SIGTERM or a closed terminal end the process through exit(), whose atexit
        // hook stops both Dovecots; a signal's default action would leave them running.
        let stopSignals = SignalWatcher([SIGINT, SIGTERM, SIGHUP]) { _ in
            StandardStreams.err("\nmailferry demo: stopping the demo servers\n")
            Glibc.exit(130)
        }
        defer { stopSignals.cancel() }
        // Kept after the demo: its Maildir, archive and logs are what there is to look at.
        let store = NSTemporaryDirectory() + "mailferry-demo-" + String(UUID().uuidString.prefix(8))
        let sourceConfiguration = IMAPClientConfiguration(
            endpoint: IMAPEndpoint(
                host: source.host, port: source.imapsPort, user: "demo@example.com", security: .implicitTLS),
            tls: TLSConfiguration(caFile: source.caFile))
        let targetConfiguration = IMAPClientConfiguration(
            endpoint: IMAPEndpoint(
                host: target.host, port: target.imapsPort, user: "demo@cloudmail.example", security: .implicitTLS),
            tls: TLSConfiguration(caFile: target.caFile))
        try FileManager.default.createDirectory(atPath: store, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: store + "/.seed", withIntermediateDirectories: true)
        try await seed(sourceConfiguration, password: password, scratch: store + "/.seed")
        try? FileManager.default.removeItem(atPath: store + "/.seed")
        // Both test CAs in one file, kept in the store, so the printed commands work when pasted.
        let caFile = store + "/demo-ca.pem"
        let pem =
            try String(contentsOfFile: source.caFile, encoding: .utf8)
            + String(contentsOfFile: target.caFile, encoding: .utf8)
        try pem.write(toFile: caFile, atomically: true, encoding: .utf8)
        let common = "--store \(store) --ca-file \(caFile)"
        let sourceURL = sourceConfiguration.endpoint.url, targetURL = targetConfiguration.endpoint.url
        if web {
            try await serveWeb(
                source: source, target: target, caFile: caFile, store: store, password: password)
            return
        }

        emit("\n$ mailferry probe \(sourceURL) --ca-file \(caFile)\n")
        emit(try await AccountProbe(configuration: sourceConfiguration).run(password: password).text)

        emit("\n$ mailferry migrate --source \(sourceURL) --target \(targetURL) --job demo \(common)\n")
        let pull = PullOptions(source: sourceConfiguration, storeRoot: store, job: "demo", connections: 3)
        let push = PushOptions(target: targetConfiguration, storeRoot: store, job: "demo", connections: 3)
        let pulled = TransferProgress(), pushed = TransferProgress()
        let printer = ProgressPrinter(lines: [
            .init(label: "pull", progress: pulled), .init(label: "push", progress: pushed),
        ])
        printer.start()
        let job = MigrationJob(storeRoot: store, name: "demo")
        let migrated = try await job.migrate(
            pull: pull, push: push, sourcePassword: password, targetPassword: password,
            pullProgress: pulled, pushProgress: pushed)
        printer.stop()
        emit(migrated.text)

        emit("\n$ mailferry verify --job demo --target \(targetURL) \(common)\n")
        let report = try await job.verify(
            VerifyEngine(target: targetConfiguration, storeRoot: store, job: "demo"),
            targetPassword: password, sourcePassword: nil)
        emit(report.text)

        let binary = CommandLine.arguments[0]
        if keepRunning {
            emit(
                """

                The demo servers run until you press Ctrl-C (or send SIGTERM); both stop then. The password of both
                accounts is \(password). In another terminal, try:
                  export MAILFERRY_SOURCE_PASSWORD='\(password)' MAILFERRY_TARGET_PASSWORD='\(password)'
                  \(binary) migrate --source \(sourceURL) --target \(targetURL) --job demo \(common)
                  \(binary) verify --job demo --target \(targetURL) \(common) --deep
                  \(binary) inspect \(store)/demo/archives/*.tar

                """)
        }
        emit(
            """

            The demo's store (Maildir, state.sqlite, archives, logs) is kept in \(store)
            Remove it with: rm -rf \(store)
            """)
        if keepRunning {
            while true { try await Task.sleep(for: .seconds(3600)) }
        }
        if !report.isEqual { throw ExitCode.partialFailure }
    }

    /// `demo --web`: the form, its row filled in for the demo servers, until Ctrl-C.
    private func serveWeb(
        source: DovecotServer, target: DovecotServer, caFile: String, store: String, password: String
    ) async throws {
        let (host, port) = try ServeCommand.parseListen(listen)
        var configuration = WebConfiguration(
            storeRoot: store,
            targetServer: IMAPEndpoint(host: target.host, port: target.imapsPort, user: "", security: .implicitTLS)
        ) { endpoint, _ in
            IMAPClientConfiguration(endpoint: endpoint, tls: TLSConfiguration(caFile: caFile))
        }
        configuration.prefill = [
            PrefilledMailbox(
                server: source.host, port: source.imapsPort, sourceEmail: "demo@example.com",
                targetEmail: "demo@cloudmail.example")
        ]
        configuration.prefillReportTo = "admin@example.com"
        let app = try WebApp(configuration: configuration)
        emit(
            """

            The form is at http://\(host):\(port)/ — its mailbox row is filled in for the demo servers; type \(password)
            as the Source password (the Destination password defaults to it), then Test connections or Submit.
            Ctrl-C stops the web server and both Dovecots. The store is \(store).
            """)
        try await ServeCommand.runOnWebThread(app.application(host: host, port: port))
    }

    /// The test corpus, small: nested, Czech and Cyrillic folders, every flag, keywords, a
    /// message without Message-ID, bare LF, 8-bit text and one 300 KB attachment.
    private func seed(_ configuration: IMAPClientConfiguration, password: String, scratch: String) async throws {
        let client = try await IMAPClient.loggedIn(configuration, password: password)
        let folders = try CorpusGenerator(
            spec: CorpusSpec(messagesPerFolder: 4, largeMessageBytes: 300_000),
            scratchDirectory: scratch
        ).folders()
        let total = try await CorpusLoader(client: client).load(folders, separator: ".")
        await client.logout()
        emit("Loaded \(total) sample messages into the source.")
    }
}

/// Writes a line to stdout unbuffered, so it shows at once even when stdout is a pipe or file.
func emit(_ text: String) {
    StandardStreams.out((text + "\n"))
}
