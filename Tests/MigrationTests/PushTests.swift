import DovecotHarness
import Foundation
import IMAPClient
import IMAPCore
import Logging
import MailCorpus
import MailStore
import Migration
import Testing

@Suite("push and migrate against two real Dovecots")
struct PushTests {
    @Test(
        "migrate copies everything to a target with another separator and other special-use names; a second push changes nothing"
    )
    func fullMigrate() async throws {
        let fixture = try await MigrationFixture.start()
        defer { fixture.stop() }
        let summary = try await fixture.migrate()
        #expect(summary.push.issues.isEmpty, "\(summary.push.issues)")
        let expected = try await fixture.expectedOnTarget()
        #expect(try await fixture.targetSnapshot() == expected)
        #expect(summary.push.uploaded == expected.count)
        let again = try await fixture.push()
        #expect(again.uploaded == 0 && again.adopted == 0 && again.flagUpdates == 0)
        #expect(try await fixture.targetSnapshot() == expected)
    }

    @Test("migrate uploads each folder's committed messages while the pull is still running, each exactly once")
    func uploadsWhilePulling() async throws {
        // Commits of one message make the pull long enough (hundreds of group commits) for the
        // uploader, which looks every 20 ms, to find folders with work before the pull ends.
        let fixture = try await MigrationFixture.start(spec: .init(messagesPerFolder: 40))
        defer { fixture.stop() }
        let summary = try await fixture.migrate(commitEvery: 1)
        let expected = try await fixture.expectedOnTarget()
        #expect(summary.uploadedWhilePulling > 0, "nothing was uploaded before the pull ended")
        #expect(summary.push.uploaded == expected.count && summary.push.adopted == 0)
        #expect(try await fixture.targetSnapshot() == expected, "every message once, flags and dates kept")
    }

    @Test("a delta migrate uploads only new messages and applies flag changes")
    func deltaMigrate() async throws {
        let fixture = try await MigrationFixture.start()
        defer { fixture.stop() }
        _ = try await fixture.migrate()
        let client = try await fixture.source.server.connectedClient()
        _ = try await client.append(
            (1...4).map {
                AppendRequest(
                    bytes: Array(
                        "Subject: late \($0)\r\nMessage-ID: <late-\($0)@x>\r\n\r\nafter the MX switch\r\n".utf8))
            }, to: .inbox)
        try await client.select(MailboxName("Sent"))
        let uids = try await client.uidSearch("ALL")
        try await client.uidStore(UIDSet(uids.prefix(2)), .add, flags: [.flagged, "$label1"])
        try await client.uidStore(UIDSet([uids[2]]), .replace, flags: [])
        await client.logout()
        let delta = try await fixture.migrate()
        #expect(delta.pull.messages == 4)
        #expect(delta.push.uploaded == 4)
        #expect(delta.push.flagUpdates >= 2)
        #expect(try await fixture.targetSnapshot() == (try await fixture.expectedOnTarget()))
        let log = try String(contentsOfFile: delta.push.logFile, encoding: .utf8)
        #expect(
            log.contains("kept for the last round"), "the last round goes on a connection of the uploads while pulling")
        #expect(log.contains("not listed again"), "the last round maps folders on the listing of the one before")
        let noop = try await fixture.migrate()
        #expect(noop.push.uploaded == 0 && noop.pushRounds == 1)
        let noopLog = try String(contentsOfFile: noop.push.logFile, encoding: .utf8)
        #expect(
            noopLog.contains("not listed again"), "a no-op's only round uses what was listed while the pull ran")
    }

    @Test(
        "a delta migrate applies flag changes while pulling: with the folder's new messages, and in a folder with no new mail"
    )
    func deltaFlagsWhilePulling() async throws {
        let fixture = try await MigrationFixture.start()
        defer { fixture.stop() }
        _ = try await fixture.migrate()
        let client = try await fixture.source.server.connectedClient()
        _ = try await client.append(
            (1...3).map {
                AppendRequest(bytes: Array("Subject: new \($0)\r\nMessage-ID: <new-\($0)@x>\r\n\r\nnew\r\n".utf8))
            },
            to: .inbox)
        try await client.select(.inbox)
        let inboxUIDs = try await client.uidSearch("ALL")
        try await client.uidStore(UIDSet([inboxUIDs[0]]), .add, flags: [.flagged])
        try await client.select(MailboxName("Sent"))
        let sentUIDs = try await client.uidSearch("ALL")
        try await client.uidStore(UIDSet(sentUIDs.prefix(2)), .add, flags: ["$label1"])
        await client.logout()
        let delta = try await fixture.migrate()
        #expect(delta.push.uploaded == 3)
        #expect(delta.push.flagUpdates == 3)
        // Before, the INBOX's flag change could miss the visit made at its prefetch's commit, and
        // Sent (no new mail, so no commit) waited for the last round.
        #expect(
            delta.flagUpdatesWhilePulling == 3,
            "flag updates left to the last round: \(delta.push.flagUpdates - delta.flagUpdatesWhilePulling)")
        #expect(try await fixture.targetSnapshot() == (try await fixture.expectedOnTarget()))
    }

    @Test(
        "with a limit of one byte ahead of the uploads, the pull waits after its commits for them, and the target still gets every message once"
    )
    func pullWaitsForUploads() async throws {
        // Enough commits on one connection that the uploads have logged in long before the last.
        let fixture = try await MigrationFixture.start(spec: CorpusSpec(messagesPerFolder: 40))
        defer { fixture.stop() }
        var pull = fixture.source.options(connections: 1, commitEvery: 1)
        pull.aheadOfUploadsLimit = 1
        let summary = try await MigrateEngine(
            pull: pull, push: fixture.pushOptions(), console: { _ in SwiftLogNoOpLogHandler() }
        )
        .run(sourcePassword: sourcePassword, targetPassword: targetPassword)
        #expect(summary.pullWaitsForUploads > 0)
        #expect(summary.push.uploaded == summary.pull.messages)
        #expect(try await fixture.targetSnapshot() == (try await fixture.expectedOnTarget()))
        let log = try String(contentsOfFile: summary.push.logFile, encoding: .utf8)
        #expect(log.contains("the pull waited \(summary.pullWaitsForUploads) times"))
        #expect(log.contains("to stay within 1 byte of them"))
    }

    @Test(
        "each folder's SELECT rides on the last flight of the folder before: flag changes in N folders over one connection take N + 1 round trips, not 2N"
    )
    func selectRidesOnLastFlight() async throws {
        let fixture = try await MigrationFixture.start()
        defer { fixture.stop() }
        _ = try await fixture.migrate()
        let client = try await fixture.source.server.connectedClient()
        var changed = 0
        for listing in try await client.list() where !listing.attributes.contains("\\Noselect") {
            guard
                let uid = try await client.select(listing.name).exists > 0
                    ? try await client.uidSearch("ALL").first : nil
            else { continue }
            try await client.uidStore(UIDSet([uid]), .add, flags: ["$seenAhead"])
            changed += 1
        }
        await client.logout()
        #expect(changed >= 4, "the corpus has folders enough to show the saving")
        let pulled = try await PullEngine(options: fixture.source.options(), console: { _ in SwiftLogNoOpLogHandler() })
            .run(password: sourcePassword)
        #expect(pulled.flagUpdates == changed)
        let pushed = try await fixture.push(connections: 1)
        #expect(pushed.flagUpdates == changed)
        #expect(pushed.roundTrips == changed + 1, "one SELECT of its own, then one flight per folder")
        #expect(try await fixture.targetSnapshot() == (try await fixture.expectedOnTarget()))
    }

    @Test("with the manifest lost, a new pull + push finds every message on the target and appends none")
    func manifestLost() async throws {
        let fixture = try await MigrationFixture.start()
        defer { fixture.stop() }
        _ = try await fixture.migrate()
        try FileManager.default.removeItem(atPath: fixture.layout.jobRoot)
        let summary = try await fixture.migrate()
        #expect(summary.push.uploaded == 0)
        #expect(summary.push.adopted == summary.pull.messages)
        #expect(try await fixture.targetSnapshot() == (try await fixture.expectedOnTarget()))
    }

    @Test("a message the target refuses is skipped and reported; the rest goes on")
    func refusedMessage() async throws {
        let fixture = try await MigrationFixture.start(
            spec: .init(messagesPerFolder: 3, largeMessageBytes: 300_000),
            targetSettings: "plugin {\n  quota_max_mail_size = 200k\n}\n")
        defer { fixture.stop() }
        let summary = try await fixture.migrate()
        #expect(summary.push.skipped == 1)
        #expect(
            summary.push.issues.contains { $0.folder == "Archive" && $0.reason.contains("refused") },
            "\(summary.push.issues)")
        let expected = try await fixture.expectedOnTarget().filter { $0.size < 200_000 }
        #expect(try await fixture.targetSnapshot() == expected)
        let again = try await fixture.push()
        #expect(again.uploaded == 0 && again.skipped == 0, "a recorded skip is not retried every run")
    }

    @Test(
        "OVERQUOTA stops the push in a resumable state, without duplicates; with the quota raised it resumes and completes"
    )
    func overQuota() async throws {
        let fixture = try await MigrationFixture.start(spec: .init(messagesPerFolder: 6), targetQuota: 40_000)
        defer { fixture.stop() }
        _ = try await fixture.source.pull()
        // One connection: with several sessions saving at once near the quota, Dovecot was seen
        // (under heavy load) to recreate an auto-created folder and drop what it had acknowledged;
        // this test is about a clean, resumable stop, not about that server behaviour.
        await #expect(throws: TargetOverQuota.self) { try await fixture.push(connections: 1) }
        let database = try StateDatabase(path: fixture.layout.database)
        let target = try database.target(host: fixture.target.host, port: fixture.target.imapsPort, user: "carol")
        let counts = try database.uploadCounts(targetID: target.id)
        #expect(counts.pending == 0, "nothing is left pending after a clean stop")
        let onTarget = try await fixture.targetSnapshot().count
        #expect(counts.uploaded == onTarget)
        await #expect(throws: TargetOverQuota.self) { try await fixture.push(connections: 1) }
        #expect(try await fixture.targetSnapshot().count == onTarget, "a retry appends nothing twice")
        let outcome = try await fixture.runBinary("push")
        #expect(outcome.status == 1)
        #expect(outcome.stderr.contains("over quota"))

        // The admin raises the quota: the next push resumes and completes.
        let users = try String(contentsOfFile: fixture.target.usersFile, encoding: .utf8)
        try #require(users.contains("storage=40000B"))
        try users.replacingOccurrences(of: "storage=40000B", with: "storage=100000000B")
            .write(toFile: fixture.target.usersFile, atomically: false, encoding: .utf8)
        // Dovecot's auth process keeps the passwd-file it read: restart the server, as a panel would reload it.
        try fixture.target.restart()
        let resumed = try await fixture.runBinary("push")
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(try await fixture.targetSnapshot() == (try await fixture.expectedOnTarget()), "complete, nothing twice")
    }

    @Test("source deletions are left alone unless --propagate-deletes")
    func deletions() async throws {
        let fixture = try await MigrationFixture.start(spec: .init(messagesPerFolder: 2))
        defer { fixture.stop() }
        _ = try await fixture.migrate()
        let before = try await fixture.targetSnapshot().count
        try await fixture.source.server.expungeFirstInboxMessage()
        _ = try await fixture.source.pull()
        _ = try await fixture.push()
        #expect(try await fixture.targetSnapshot().count == before)
        let propagated = try await fixture.push(propagateDeletes: true)
        #expect(propagated.folders.first { $0.source == "INBOX" }?.deleted == 1)
        #expect(try await fixture.targetSnapshot().count == before - 1)
    }
}

@Suite("push survives kill -9", .serialized)
struct PushCrashTests {
    @Test(
        "kill -9 during push, rerun: target equals source, no duplicates",
        arguments: ["after-append:1", "after-append:3", "mid-literal:3"])
    func killPush(fault: String) async throws {
        let fixture = try await MigrationFixture.start(spec: .init(messagesPerFolder: 12, largeMessageBytes: 2_000_000))
        defer { fixture.stop() }
        _ = try await fixture.source.pull()
        let killed = try await fixture.runBinary("push", extra: [], environment: ["MAILFERRY_FAULT": fault])
        #expect(killed.killedBySignal, "the fault \(fault) was reached: \(killed.stderr)")
        // Whatever reached the target is whole: a message cut mid-literal is not stored half.
        let partial = try await fixture.targetSnapshot()
        let expected = try await fixture.expectedOnTarget()
        #expect(Set(partial).isSubset(of: Set(expected)), "only whole source messages on the target")
        #expect(partial.count < expected.count, "the kill came before the end")
        if fault.hasPrefix("after-append") { #expect(!partial.isEmpty, "an APPEND batch had been recorded") }
        let resumed = try await fixture.runBinary("push")
        #expect(resumed.status == 0, "\(resumed.stdout)\(resumed.stderr)")
        #expect(try await fixture.targetSnapshot() == (try await fixture.expectedOnTarget()))
        let again = try await fixture.runBinary("push")
        #expect(again.stdout.contains("Uploaded   0 messages"))
    }
}
