import DovecotHarness
import Foundation
import IMAPClient
import IMAPCore
import Logging
import MailCorpus
import Migration
import Testing

@Suite("verify against two real Dovecots")
struct VerifyTests {
    private func verify(_ fixture: MigrationFixture, live: Bool = false, deep: Bool = false) async throws -> VerifyReport {
        let target = fixture.pushOptions().target
        let source = live ? fixture.source.options().source : nil
        return try await VerifyEngine(target: target, source: source, storeRoot: fixture.store, job: "alice", deep: deep,
                                      console: { _ in SwiftLogNoOpLogHandler() })
            .run(targetPassword: targetPassword, sourcePassword: live ? sourcePassword : nil)
    }

    @Test("after migrate, verify says equal against the store and the live source, shallow and deep")
    func equalAfterMigrate() async throws {
        let fixture = try await MigrationFixture.start()
        defer { fixture.stop() }
        _ = try await fixture.migrate()
        for (live, deep) in [(false, false), (false, true), (true, false), (true, true)] {
            let report = try await verify(fixture, live: live, deep: deep)
            #expect(report.isEqual, "live \(live) deep \(deep): \(report.text)")
            let expectedCount = try await fixture.expectedOnTarget().count
            #expect(report.folders.reduce(0) { $0 + $1.found } == expectedCount)
        }
        let outcome = try await fixture.runBinary("verify", extra: ["--json"])
        #expect(outcome.status == 0, "\(outcome.stdout)\(outcome.stderr)")
    }

    @Test("verify finds a missing message and changed flags on the target, and exits 1")
    func differences() async throws {
        let fixture = try await MigrationFixture.start(spec: .init(messagesPerFolder: 3))
        defer { fixture.stop() }
        _ = try await fixture.migrate()
        let client = try await fixture.target.connectedClient(user: "carol", password: targetPassword)
        try await client.select(.inbox)
        let uids = try await client.uidSearch("ALL")
        try await client.uidStore(UIDSet([uids[0]]), .add, flags: [.deleted])
        try await client.uidExpunge(UIDSet([uids[0]]))
        try await client.uidStore(UIDSet([uids[1]]), .replace, flags: ["$odd"])
        await client.logout()
        let report = try await verify(fixture)
        #expect(!report.isEqual)
        let inbox = try #require(report.folders.first { $0.source == "INBOX" })
        #expect(inbox.missing == 1)
        #expect(inbox.flagMismatches == 1)
        #expect(report.folders.filter { $0.source != "INBOX" }.allSatisfy { $0.isEqual })
        let outcome = try await fixture.runBinary("verify")
        #expect(outcome.status == 1)
        #expect(outcome.stdout.contains("missing on the target"))
    }
}
