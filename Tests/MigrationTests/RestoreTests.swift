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
        _ = try await client.append([AppendRequest(bytes: Array("Subject: later\r\nMessage-ID: <later@x>\r\n\r\nlater\r\n".utf8), flags: ["$label1"])], to: .inbox)
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
        let restored = try await RestoreEngine(archives: archives.reversed(), push: options, console: { _ in SwiftLogNoOpLogHandler() })
            .run(targetPassword: targetPassword)
        #expect(restored.imported == expected.count + 1, "the full archive still holds the message deleted later")
        #expect(restored.push.uploaded == expected.count)
        let first = try await fixture.targetSnapshot(user: "dave")
        #expect(first == expected, "extra: \(Set(first).subtracting(expected)) missing: \(Set(expected).subtracting(first))")

        let again = try await RestoreEngine(archives: archives, push: options, console: { _ in SwiftLogNoOpLogHandler() })
            .run(targetPassword: targetPassword)
        #expect(again.imported == 0 && again.push.uploaded == 0)
        let after = try await fixture.targetSnapshot(user: "dave")
        #expect(after == expected, "extra: \(Set(after).subtracting(expected)) missing: \(Set(expected).subtracting(after)) \(again.text)")
    }
}
