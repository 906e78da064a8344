import Foundation
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
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("compress-link"), "\(bad.stderr)")
    }

    private func newestLog(in directory: String) throws -> String {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.contains("migrate") }
        let newest = try #require(names.sorted().last)
        return try String(contentsOfFile: "\(directory)/\(newest)", encoding: .utf8)
    }
}
