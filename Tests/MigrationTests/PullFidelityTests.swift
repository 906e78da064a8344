import DovecotHarness
import Foundation
import IMAPClient
import IMAPCore
import MailArchive
import MailCorpus
import MailStore
import Migration
import Testing

@Suite("pull against a real Dovecot")
struct PullFidelityTests {
    @Test(
        "a full pull stores every message byte for byte with flags, keywords and INTERNALDATE, and seals an archive Dovecot can serve"
    )
    func fullPull() async throws {
        let fixture = try await PullFixture.start(
            spec: CorpusSpec(messagesPerFolder: 6, largeMessageBytes: 40_000_000), separator: "/")
        defer { fixture.stop() }
        let summary = try await fixture.pull()
        #expect(summary.kind == "full")
        #expect(summary.issues.isEmpty, "\(summary.issues)")
        let source = try await snapshot(of: fixture.server)
        let stored = try snapshot(of: fixture.layout())
        #expect(stored.count == source.count)
        #expect(stored == source)
        #expect(source.contains { $0.size > 39_000_000 }, "the 40 MB message is part of the comparison")
        #expect(source.contains { $0.flags.contains("$Forwarded") } && source.contains { $0.flags.contains("$label1") })

        // Folder tree: every source folder is recorded under its Unicode name.
        let database = try StateDatabase(path: fixture.layout().database)
        let names = Set(try database.folders().map(\.name))
        for path in CorpusGenerator.fixedFolders { #expect(names.contains(path.joined(separator: "/")), "\(path)") }

        // The archive: listed by tar, intact by re-hash, and served by Dovecot after extraction.
        let archive = try #require(summary.archive)
        let archivePath = "\(fixture.layout().archives)/\(archive)"
        let inspection = try ArchiveInspection.inspect(archive: archivePath)
        #expect(inspection.isIntact, "\(inspection.problems)")
        #expect(inspection.messages == source.count)
        let listing = try run(["tar", "-tf", archivePath])
        #expect(
            listing.split(separator: "\n").filter { $0.contains("/cur/") && !$0.hasSuffix("/") }.count == source.count)
        let restored = try DovecotServer.start(
            DovecotConfiguration(users: [DovecotUser(name: "bob", password: sourcePassword)], hierarchySeparator: "/"))
        defer { restored.stop() }
        let home = (restored.maildirPath(of: "bob") as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        _ = try run(["tar", "-xf", archivePath, "-C", home, "Maildir"])
        _ = try run(["chown", "-R", "65534:65534", home])
        let served = try await snapshot(of: restored, user: "bob")
        #expect(served == source, "Dovecot serves the extracted archive as the source had it")
    }

    @Test("a delta pull moves only new messages and flag changes; a no-op pull writes no archive")
    func deltaPull() async throws {
        let fixture = try await PullFixture.start()
        defer { fixture.stop() }
        _ = try await fixture.pull()
        let client = try await fixture.server.connectedClient()
        let added = (1...3).map {
            AppendRequest(
                bytes: Array("Subject: new \($0)\r\nMessage-ID: <new-\($0)@x>\r\n\r\nbody \($0)\r\n".utf8),
                flags: [.seen])
        }
        _ = try await client.append(added, to: .inbox)
        try await client.select(.inbox)
        let uids = try await client.uidSearch("ALL")
        try await client.uidStore(UIDSet([uids[0]]), .add, flags: [.flagged, "$label1"])
        try await client.uidStore(UIDSet([uids[1]]), .add, flags: [.deleted])
        try await client.select(MailboxName("Sent"))
        let sentUIDs = try await client.uidSearch("ALL")
        try await client.uidStore(UIDSet([sentUIDs[0]]), .add, flags: [.deleted])
        try await client.uidExpunge(UIDSet([sentUIDs[0]]))
        // A flag change alone: same UIDNEXT and count, only HIGHESTMODSEQ moves.
        try await client.select(MailboxName("Drafts"))
        let draftUIDs = try await client.uidSearch("ALL")
        try await client.uidStore(UIDSet([draftUIDs[0]]), .add, flags: ["$label2"])
        await client.logout()

        let delta = try await fixture.pull()
        #expect(delta.kind == "delta")
        #expect(delta.messages == 3)
        #expect(delta.flagUpdates == 3)
        // Folders STATUS shows unchanged since their last complete pull are not even selected.
        #expect(Set(delta.folders.filter { $0.unchanged != true }.map(\.name)) == ["INBOX", "Sent", "Drafts"])
        #expect(delta.folders.first { $0.name == "Sent" }?.goneAtSource == 1)
        #expect(try snapshot(of: fixture.layout()) == (try await snapshot(of: fixture.server)))
        let inspection = try ArchiveInspection.inspect(
            archive: "\(fixture.layout().archives)/\(try #require(delta.archive))")
        #expect(inspection.isIntact)
        #expect(inspection.messages == 3)
        #expect(inspection.flagUpdates == 3)
        // The message expunged at the source stays in the local copy.
        let database = try StateDatabase(path: fixture.layout().database)
        let sent = try #require(try database.folders().first { $0.name == "Sent" })
        #expect(try database.allMessages(folderID: sent.id).filter { $0.sourceState == .gone }.count == 1)

        let noop = try await fixture.pull()
        #expect(noop.messages == 0 && noop.flagUpdates == 0)
        #expect(noop.archive == nil)
        #expect(
            noop.folders.allSatisfy { $0.unchanged == true },
            "\(noop.folders.filter { $0.unchanged != true }.map(\.name))")
    }

    @Test("a folder recreated at the source (new UIDVALIDITY) is re-matched, nothing stored twice")
    func uidValidityChange() async throws {
        let fixture = try await PullFixture.start()
        defer { fixture.stop() }
        _ = try await fixture.pull()
        let maildir = MaildirFolder(root: fixture.layout().maildir, relativePath: "Sent")
        let before = maildir.storedFiles().count
        // Recreate "Sent" with the same messages: download them, delete, re-create, re-upload.
        let client = try await fixture.server.connectedClient()
        try await client.select(MailboxName("Sent"))
        let sink = MessageCopySink()
        try await client.uidFetch([.all], items: IMAPClient.messageItems, into: sink)
        try await client.select(.inbox)
        try await client.delete(MailboxName("Sent"))
        try await client.create(MailboxName("Sent"))
        _ = try await client.append(sink.requests, to: MailboxName("Sent"))
        await client.logout()

        let summary = try await fixture.pull()
        let sent = try #require(summary.folders.first { $0.name == "Sent" })
        #expect(sent.uidValidityChanged)
        #expect(summary.messages == 0, "identical messages are re-keyed, not stored again")
        #expect(maildir.storedFiles().count == before)
        #expect(try snapshot(of: fixture.layout()) == (try await snapshot(of: fixture.server)))
    }
}

/// Keeps fetched messages as APPEND requests (small test messages only).
final class MessageCopySink: FetchSink, @unchecked Sendable {
    var requests: [AppendRequest] = []
    private var bytes: [UInt8] = []
    func beginBody(_ section: BodySection, size: Int, of message: FetchedMessage) throws { bytes = [] }
    func appendBody(_ chunk: ArraySlice<UInt8>) throws { bytes += chunk }
    func endBody() throws {}
    func finishMessage(_ message: FetchedMessage) throws {
        requests.append(
            AppendRequest(
                bytes: bytes, flags: (message.flags ?? []).filter { $0 != .recent }, internalDate: message.internalDate)
        )
    }
}

/// Runs a command, returns stdout, throws with stderr on failure.
@discardableResult
func run(_ arguments: [String], environment: [String: String]? = nil) throws -> String {
    let outcome = try ProcessRunner.run(arguments[0], Array(arguments.dropFirst()), environment: environment)
    guard outcome.status == 0 else {
        throw CommandError(arguments: arguments, status: outcome.status, stderr: outcome.stderr)
    }
    return outcome.stdout
}

struct CommandError: Error, CustomStringConvertible {
    let arguments: [String]
    let status: Int32
    let stderr: String
    var description: String { "\(arguments.joined(separator: " ")) exited \(status): \(stderr)" }
}
