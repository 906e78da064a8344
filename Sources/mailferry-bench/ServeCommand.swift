import ArgumentParser
import DovecotHarness
import Foundation
import IMAPClient
import IMAPCore
import MailCorpus

/// Starts a Dovecot, fills `Small` and `Large`, writes the state file, and runs until killed.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve")

    @Option var state: String
    @Option var smallMessages = 1000
    @Option var largeMegabytes = 40
    @Option(help: "Seed a generated corpus of about this many messages instead of the fetch folders.")
    var corpus: Int?
    @Option(help: "Corpus sizes: small or realistic.") var sizes = "realistic"
    @ArgumentParser.Flag(help: "Also start an empty target server (separator \"/\") for migrate benchmarks.")
    var withTarget = false
    @Option(help: "Target accounts on the target server (target, target2, …).") var targetAccounts = 1
    @Option(help: "Source accounts (bench, bench2, …), each seeded with the same corpus (with --corpus).")
    var sourceAccounts = 1
    @ArgumentParser.Flag(help: "Both servers offer COMPRESS=DEFLATE (Dovecot's imap_zlib).") var compression = false

    func run() async throws {
        let user = "bench", password = "Bench-Passw0rd"
        let sourceUsers = (1...max(1, sourceAccounts)).map { $0 == 1 ? user : "\(user)\($0)" }
        var sourceConfiguration = DovecotConfiguration(
            users: sourceUsers.map { DovecotUser(name: $0, password: password) })
        sourceConfiguration.offersCompression = compression
        let server = try DovecotServer.start(sourceConfiguration)
        let configuration = IMAPClientConfiguration(
            endpoint: IMAPEndpoint(host: server.host, port: server.imapsPort, user: user, security: .implicitTLS),
            tls: TLSConfiguration(caFile: server.caFile))
        let client = IMAPClient(configuration: configuration)
        try await client.connect()
        try await client.login(password: password)
        if let corpus {
            let units = 20
            let spec = CorpusSpec(
                messagesPerFolder: max(1, corpus / units), extraFolders: units - 9,
                sizes: CorpusSpec.SizeProfile(rawValue: sizes) ?? .realistic, seed: 7)
            let folders = try CorpusGenerator(spec: spec, scratchDirectory: server.root).folders()
            let count = try await CorpusLoader(client: client).load(folders, separator: ".")
            let bytes = folders.reduce(0) { $0 + $1.messages.reduce(0) { $0 + $1.size } }
            await client.logout()
            // The other accounts get the same corpus, 4 loading at once.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (index, name) in sourceUsers.dropFirst().enumerated() {
                    if index >= 4 { try await group.next() }
                    group.addTask {
                        var each = configuration
                        each.endpoint.user = name
                        let other = IMAPClient(configuration: each)
                        try await other.connect()
                        try await other.login(password: password)
                        _ = try await CorpusLoader(client: other).load(folders, separator: ".")
                        await other.logout()
                    }
                }
                try await group.waitForAll()
            }
            var info = BenchServerState(
                host: server.host, port: server.imapsPort, caFile: server.caFile, user: user,
                password: password, folders: ["corpus": count, "corpusBytes": bytes])
            info.sourceUsers = sourceUsers
            var target: DovecotServer?
            if withTarget {
                let names = (1...max(1, targetAccounts)).map { $0 == 1 ? "target" : "target\($0)" }
                var targetConfiguration = DovecotConfiguration(
                    users: names.map { DovecotUser(name: $0, password: password) },
                    hierarchySeparator: "/")
                targetConfiguration.offersCompression = compression
                let started = try DovecotServer.start(targetConfiguration)
                info.targetPort = started.imapsPort
                info.targetCAFile = started.caFile
                info.targetUser = "target"
                info.targetUsers = names
                info.targetConfigFile = started.configFile
                info.sourceConfigFile = server.configFile
                target = started
            }
            try publish(info)
            withExtendedLifetime(target) { waitForever(server) }
        }
        for name in ["Small", "Large"] { try await client.create(MailboxName(name)) }
        let small = (1...max(1, smallMessages)).map { AppendRequest(bytes: Self.smallMessage($0)) }
        for chunk in stride(from: 0, to: small.count, by: 200) {
            _ = try await client.append(Array(small[chunk..<min(chunk + 200, small.count)]), to: MailboxName("Small"))
        }
        let largePath = server.root + "/large.eml"
        let size = try Self.writeLargeMessage(path: largePath, bytes: largeMegabytes * 1_000_000)
        _ = try await client.append(
            [AppendRequest(body: .file(path: largePath), size: size, flags: [], internalDate: nil)],
            to: MailboxName("Large"))
        unlink(largePath)
        await client.logout()
        try publish(
            BenchServerState(
                host: server.host, port: server.imapsPort, caFile: server.caFile, user: user,
                password: password, folders: ["Small": small.count, "Large": 1]))
        waitForever(server)
    }

    private func publish(_ info: BenchServerState) throws {
        try JSONEncoder().encode(info).write(to: URL(fileURLWithPath: state + ".tmp"))
        rename(state + ".tmp", state)
    }

    /// Serves until SIGTERM/SIGINT; the harness's exit hook stops Dovecot.
    private func waitForever(_ server: DovecotServer) -> Never {
        signal(SIGTERM) { _ in Glibc.exit(0) }
        signal(SIGINT) { _ in Glibc.exit(0) }
        while true { withExtendedLifetime(server) { _ = sleep(3600) } }
    }

    /// About 4–12 KB: headers plus text lines, sizes varying like real mail.
    static func smallMessage(_ index: Int) -> [UInt8] {
        var text =
            "From: Sender \(index) <s\(index)@example.com>\r\nTo: bench@example.com\r\nSubject: Message \(index)\r\n"
            + "Message-ID: <bench-\(index)@example.com>\r\nDate: Thu, 05 Nov 2026 10:15:00 +0100\r\n\r\n"
        let line = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt.\r\n"
        text += String(repeating: line, count: 40 + (index * 37) % 90)
        return Array(text.utf8)
    }

    static func writeLargeMessage(path: String, bytes: Int) throws -> Int {
        FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        let header = Data(
            "From: a@example.com\r\nTo: bench@example.com\r\nSubject: large\r\nMessage-ID: <large@example.com>\r\n\r\n"
                .utf8)
        try handle.write(contentsOf: header)
        var written = header.count
        let line = Data(
            String(
                repeating: "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0\r\n",
                count: 4096
            ).utf8)
        while written < bytes { try handle.write(contentsOf: line); written += line.count }
        return written
    }
}
