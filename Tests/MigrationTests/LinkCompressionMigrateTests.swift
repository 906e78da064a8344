import DovecotHarness
import Foundation
import IMAPClient
import IMAPCore
import MailCorpus
import Testing

@Suite("migrate over compressed links (COMPRESS=DEFLATE on both Dovecots)")
struct LinkCompressionMigrateTests {
    @Test(
        "--compress-link on: every message, flag and date arrives; both links say they were compressed; auto on loopback does not compress"
    )
    func migrateCompressed() async throws {
        let fixture = try await MigrationFixture.start(spec: CorpusSpec(messagesPerFolder: 12), compression: true)
        defer { fixture.stop() }
        let first = try await fixture.runBinary("migrate", extra: ["--compress-link", "on"])
        #expect(first.status == 0, "\(first.stdout)\(first.stderr)")
        #expect(try await fixture.targetSnapshot() == (try await fixture.expectedOnTarget()))
        let log = try newestLog(in: fixture.layout.logs)
        #expect(log.contains("\(fixture.source.server.host): link compressed"))
        #expect(log.contains("compressed link sent"), "each session says what compression saved")
        #expect(log.split(separator: "\n").filter { $0.contains("link compressed") }.count >= 2, "source and target")

        let second = try await fixture.runBinary("migrate")
        #expect(second.status == 0, "\(second.stdout)\(second.stderr)")
        #expect(second.stdout.contains("Uploaded   0 messages"), "\(second.stdout)")
        #expect(!(try newestLog(in: fixture.layout.logs)).contains("link compressed"), "auto: loopback is not far")

        let bad = try await fixture.runBinary("migrate", extra: ["--compress-link", "sometimes"])
        #expect(bad.status == 2, "a bad value is a usage error")
        #expect(bad.stderr.contains("compress-link"), "\(bad.stderr)")
    }

    @Test(
        "auto compresses a far, slow link (15 ms each way, 16 Mbit/s, through bench/delay-proxy.py) after the first FETCH set, and the rest arrives intact"
    )
    func autoOnFarSlowLink() async throws {
        var configuration = PullFixture.configuration(separator: ".")
        configuration.offersCompression = true
        let server = try DovecotServer.start(configuration)
        defer { server.stop() }
        let loader = try await server.connectedClient()
        let body = String(repeating: "Minutes of the meeting, item by item, for the record.\r\n", count: 80)
        let messages = (1...150).map { Array("Subject: minutes \($0)\r\n\r\n\(body)".utf8) }
        for start in stride(from: 0, to: messages.count, by: 50) {
            _ = try await loader.append(
                messages[start..<(start + 50)].map { AppendRequest(bytes: $0) }, to: .inbox)
        }
        await loader.logout()
        // The delay proxy: one link per server, 15 ms each way, 2 MB/s.
        let proxy = try await HelperServer.start(
            "../bench/delay-proxy.py", ["--rate", "16", "15", "\(server.imapsPort)"])
        defer { proxy.stop() }
        var far = IMAPClientConfiguration(
            endpoint: IMAPEndpoint(host: server.host, port: proxy.port, user: "alice", security: .implicitTLS),
            tls: TLSConfiguration(caFile: server.caFile))
        far.linkCompression = .auto
        let client = IMAPClient(configuration: far)
        try await client.connect()
        try await client.login(password: sourcePassword)
        #expect(await client.compressionFigures == nil, "nothing moved yet: not judged")
        try await client.select(.inbox)
        let sink = HashingSink(folder: "INBOX")
        try await client.uidFetch(
            [UIDSet(Array(1...100)), UIDSet(Array(101...150))], items: IMAPClient.messageItems, into: sink)
        let figures = try #require(await client.compressionFigures, "a 30 ms round trip at 2 MB/s is far and slow")
        #expect(sink.facts.count == 150)
        #expect(sink.facts.map(\.size).sorted() == messages.map(\.count).sorted())
        #expect(figures.plainBytesRead > 50 * messages[0].count, "the second set came compressed")
        #expect(figures.compressedBytesRead < figures.plainBytesRead / 5)
        await client.logout()
    }

    private func newestLog(in directory: String) throws -> String {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.contains("migrate") }
        let newest = try #require(names.sorted().last)
        return try String(contentsOfFile: "\(directory)/\(newest)", encoding: .utf8)
    }
}
