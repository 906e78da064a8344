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
    private func verify(
        _ fixture: MigrationFixture, live: Bool = false, deep: Bool = false
    ) async throws -> VerifyReport {
        let target = fixture.pushOptions().target
        let source = live ? fixture.source.options().source : nil
        return try await VerifyEngine(
            target: target, source: source, storeRoot: fixture.store, job: "alice", deep: deep,
            console: { _ in SwiftLogNoOpLogHandler() }
        )
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

    @Test("a job that was pulled but never pushed is DIFFERENT, never EQUAL; every folder is compared")
    func neverPushed() async throws {
        let fixture = try await MigrationFixture.start(spec: .init(messagesPerFolder: 2))
        defer { fixture.stop() }
        _ = try await fixture.source.pull()
        let report = try await verify(fixture)
        #expect(!report.isEqual, "\(report.text)")
        let stored = try snapshot(of: fixture.layout)
        #expect(report.folders.reduce(0) { $0 + $1.missing } == stored.count, "every stored message is missing")
        #expect(
            Set(report.folders.map(\.source))
                == Set(stored.map(\.folder)).union(report.folders.filter { $0.expected == 0 }.map(\.source)))
        #expect(report.folders.contains { $0.targetFolderMissing }, "folders push would create are missing")
        let outcome = try await fixture.runBinary("verify")
        #expect(outcome.status == 1, "\(outcome.stdout)")
        #expect(outcome.stdout.contains("DIFFERENT"))
    }

    @Test("verify names the job from --source as migrate does; an unknown job is exit 2")
    func defaultJobFromSource() async throws {
        let fixture = try await MigrationFixture.start(spec: .init(messagesPerFolder: 2))
        defer { fixture.stop() }
        let sourceURL = "imaps://alice@\(fixture.source.server.host):\(fixture.source.server.imapsPort)"
        let targetURL = "imaps://carol@\(fixture.target.host):\(fixture.target.imapsPort)"
        let common = ["--target", targetURL, "--ca-file", try fixture.combinedCAFile(), "--store", fixture.store]
        let environment = ["MAILFERRY_SOURCE_PASSWORD": sourcePassword, "MAILFERRY_TARGET_PASSWORD": targetPassword]
        let migrated = try await MailferryBinary.run(
            ["migrate", "--source", sourceURL] + common, environment: environment)
        #expect(migrated.status == 0, "\(migrated.stderr)")
        let verified = try await MailferryBinary.run(
            ["verify", "--source", sourceURL] + common, environment: environment)
        #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
        #expect(verified.stdout.contains("EQUAL"))
        // A job that was never pulled is refused, not reported equal.
        let unknown = try await MailferryBinary.run(
            ["verify", "--job", "never-pulled"] + common, environment: environment)
        #expect(unknown.status == 2, "\(unknown.stdout)\(unknown.stderr)")
        #expect(unknown.stderr.contains("never-pulled"))
    }

    @Test("--source-ca-file and --target-ca-file trust each side's own CA; one side's CA does not vouch for the other")
    func caFilePerSide() async throws {
        let fixture = try await MigrationFixture.start(spec: .init(messagesPerFolder: 1))
        defer { fixture.stop() }
        let sourceURL = "imaps://alice@\(fixture.source.server.host):\(fixture.source.server.imapsPort)"
        let targetURL = "imaps://carol@\(fixture.target.host):\(fixture.target.imapsPort)"
        let environment = ["MAILFERRY_SOURCE_PASSWORD": sourcePassword, "MAILFERRY_TARGET_PASSWORD": targetPassword]
        let common = [
            "migrate", "--source", sourceURL, "--target", targetURL, "--store", fixture.store, "--job", "alice",
        ]
        let sourceOnly = try await MailferryBinary.run(
            common + ["--source-ca-file", fixture.source.server.caFile], environment: environment)
        #expect(sourceOnly.status == 3, "\(sourceOnly.stderr)")
        #expect(sourceOnly.stderr.contains("certificate was rejected"))
        let both = try await MailferryBinary.run(
            common + [
                "--source-ca-file", fixture.source.server.caFile,
                "--target-ca-file", fixture.target.caFile,
            ], environment: environment)
        #expect(both.status == 0, "\(both.stderr)")
        #expect(try await fixture.targetSnapshot() == (try await fixture.expectedOnTarget()))
    }
}
