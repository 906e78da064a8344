import DovecotHarness
import Foundation
import Logging
import Migration
import Testing

/// The odd messages of `fixtures/messages` — no Message-ID, one Message-ID on two messages, bare
/// LF, 8-bit headers, a 1,000-character line, NUL bytes — arrive on the target exactly as the
/// source serves them, and a deep verify says so.
@Suite("odd messages from fixtures/")
struct OddMessagesTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("fixtures/messages")

    @Test("every fixture message is migrated byte-exact, none twice, and verify --deep is EQUAL")
    func migrateOddMessages() async throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.directory.path).filter {
            $0.hasSuffix(".eml")
        }.sorted()
        #expect(files.count >= 7)
        let fixture = try await MigrationFixture.start(spec: .init(messagesPerFolder: 1))
        defer { fixture.stop() }
        for file in files {
            try fixture.source.server.save(
                user: "alice", folder: "Odd", messageFile: Self.directory.appendingPathComponent(file).path,
                flags: ["\\Seen"])
        }
        _ = try await fixture.migrate()
        let expected = try await fixture.expectedOnTarget()
        #expect(expected.filter { $0.folder == "Odd" }.count == files.count)
        let onTarget = try await fixture.targetSnapshot()
        #expect(
            onTarget == expected,
            "extra: \(Set(onTarget).subtracting(expected)) missing: \(Set(expected).subtracting(onTarget))")
        let report = try await VerifyEngine(
            target: fixture.pushOptions().target, storeRoot: fixture.store, job: "alice", deep: true,
            console: { _ in SwiftLogNoOpLogHandler() }
        ).run(targetPassword: targetPassword)
        #expect(report.isEqual, "\(report.text)")
        // A second pass moves nothing: the two messages sharing a Message-ID are told apart by size and hash.
        let again = try await fixture.migrate()
        #expect(again.push.uploaded == 0)
        #expect(try await fixture.targetSnapshot() == expected)
    }
}
