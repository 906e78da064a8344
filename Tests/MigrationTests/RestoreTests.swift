import DovecotHarness
import Foundation
import IMAPClient
import IMAPCore
import Logging
import MailCorpus
import MailStore
import Migration
import Testing

@Suite("restore from archives")
struct RestoreTests {
    @Test("a full + delta archive chain restores into an empty account exactly once, with the latest flags")
    func restoreChain() async throws {
        let fixture = try await MigrationFixture.start(spec: .init(messagesPerFolder: 4))
        defer { fixture.stop() }
        _ = try await fixture.source.pull()
        let client = try await fixture.source.server.connectedClient()
        _ = try await client.append(
            [
                AppendRequest(
                    bytes: Array("Subject: later\r\nMessage-ID: <later@x>\r\n\r\nlater\r\n".utf8), flags: ["$label1"])
            ], to: .inbox)
        try await client.select(.inbox)
        let uids = try await client.uidSearch("ALL")
        try await client.uidStore(UIDSet([uids[0]]), .replace, flags: [.flagged, .answered])
        // Deleted at the source after the full pass: must not come back from the chain.
        try await client.uidStore(UIDSet([uids[1]]), .add, flags: [.deleted])
        try await client.uidExpunge(UIDSet([uids[1]]))
        // "Sent" recreated (new UIDVALIDITY) with the same messages, one with new flags.
        try await client.select(MailboxName("Sent"))
        let sent = MessageCopySink()
        try await client.uidFetch([.all], items: IMAPClient.messageItems, into: sent)
        try await client.select(.inbox)
        try await client.delete(MailboxName("Sent"))
        try await client.create(MailboxName("Sent"))
        var copies = sent.requests
        copies[0].flags = ["$label1", .seen]
        _ = try await client.append(copies, to: MailboxName("Sent"))
        await client.logout()
        let delta = try await fixture.source.pull()
        #expect(delta.messages == 1, "only the new message is stored; Sent's messages are re-keyed")
        #expect(delta.folders.first { $0.name == "Sent" }?.uidValidityChanged == true)
        let archives = fileTree(fixture.layout.archives).map { "\(fixture.layout.archives)/\($0)" }
        #expect(archives.count == 2)

        var options = fixture.pushOptions(user: "dave")
        options.job = "restore-dave"
        // The source is gone for the restore: stop it to prove nothing reads it.
        let expected = try await fixture.expectedOnTarget()
        fixture.source.server.stop()
        let restored = try await RestoreEngine(
            archives: archives.reversed(), push: options, console: { _ in SwiftLogNoOpLogHandler() }
        )
        .run(targetPassword: targetPassword)
        #expect(restored.imported == expected.count + 1, "the full archive still holds the message deleted later")
        #expect(restored.push.uploaded == expected.count)
        let first = try await fixture.targetSnapshot(user: "dave")
        #expect(
            first == expected, "extra: \(Set(first).subtracting(expected)) missing: \(Set(expected).subtracting(first))"
        )

        let again = try await RestoreEngine(
            archives: archives, push: options, console: { _ in SwiftLogNoOpLogHandler() }
        )
        .run(targetPassword: targetPassword)
        #expect(again.imported == 0 && again.push.uploaded == 0)
        let after = try await fixture.targetSnapshot(user: "dave")
        #expect(
            after == expected,
            "extra: \(Set(after).subtracting(expected)) missing: \(Set(expected).subtracting(after)) \(again.text)")
    }

    @Test(
        "restore --propagate-deletes: a delta archive's source deletions are applied to what an earlier restore uploaded"
    )
    func restorePropagatesDeletes() async throws {
        let fixture = try await MigrationFixture.start(spec: .init(messagesPerFolder: 3))
        defer { fixture.stop() }
        _ = try await fixture.source.pull()
        let full = fileTree(fixture.layout.archives).map { "\(fixture.layout.archives)/\($0)" }
        try await fixture.source.server.expungeFirstInboxMessage()
        _ = try await fixture.source.pull()
        let chain = fileTree(fixture.layout.archives).map { "\(fixture.layout.archives)/\($0)" }
        #expect(chain.count == 2)
        let expected = try await fixture.expectedOnTarget()

        func restore(
            _ archives: [String], job: String, user: String, propagate: Bool
        ) async throws -> RestoreEngine.Summary {
            var options = fixture.pushOptions(user: user, propagateDeletes: propagate)
            options.job = job
            return try await RestoreEngine(
                archives: archives, push: options, console: { _ in SwiftLogNoOpLogHandler() }
            )
            .run(targetPassword: targetPassword)
        }
        // carol: the full archive first, then the chain with --propagate-deletes.
        _ = try await restore(full, job: "restore-carol", user: "carol", propagate: false)
        #expect(try await fixture.targetSnapshot(user: "carol").count == expected.count + 1)
        // From the binary: the flag was once accepted by the CLI and dropped on the way.
        let outcome = try await MailferryBinary.run(
            ["restore"] + chain + [
                "--target", "imaps://carol@\(fixture.target.host):\(fixture.target.imapsPort)", "--ca-file",
                fixture.target.caFile,
                "--store", fixture.store, "--job", "restore-carol", "--propagate-deletes",
            ],
            environment: ["MAILFERRY_TARGET_PASSWORD": targetPassword])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let carol = try await fixture.targetSnapshot(user: "carol")
        #expect(carol == expected, "extra: \(Set(carol).subtracting(expected))")
        // dave: the same without the flag keeps the message the source deleted.
        _ = try await restore(full, job: "restore-dave", user: "dave", propagate: false)
        _ = try await restore(chain, job: "restore-dave", user: "dave", propagate: false)
        #expect(try await fixture.targetSnapshot(user: "dave").count == expected.count + 1)
    }
}
