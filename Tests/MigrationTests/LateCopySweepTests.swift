import DovecotHarness
import Foundation
import IMAPClient
import IMAPCore
import MailStore
import TestSupport
import Testing

@testable import Migration

/// The copy an APPEND cut mid-way may still leave after the message was sent again cannot be
/// made to land on demand by a real server; the sweep that removes it is tested here on a
/// real Dovecot folder holding such copies, and `FaultProxyTests` runs it under 100 cuts.
@Suite("late copies of re-sent messages, against a real Dovecot")
struct LateCopySweepTests {
    @Test("only unrecorded byte-identical copies at or above the UID bound are found, and only they are expunged")
    func findsAndRemovesOnlyLateCopies() async throws {
        let server = try DovecotServer.start(PullFixture.configuration(separator: "."))
        defer { server.stop() }
        let client = try await server.connectedClient()
        let directory = try TemporaryDirectory()
        let maildir = MaildirFolder(root: directory.path, relativePath: "INBOX")
        try maildir.create()

        func message(_ name: String, _ text: String, messageID: String?) throws -> ([UInt8], MessageRecord) {
            let bytes = Array(text.utf8)
            try Data(bytes).write(to: URL(fileURLWithPath: "\(maildir.cur)/\(name)"))
            let hash = try SHA256Hasher.hashFile(atPath: "\(maildir.cur)/\(name)")
            let record = MessageRecord(
                folderID: 1, uidValidity: 1, uid: 1, flags: FlagList(text: ""),
                internalDate: "14-Nov-2023 22:13:20 +0000",
                size: Int64(bytes.count), sha256: hash.sha256, messageID: messageID, maildirFile: name, passID: 1)
            return (bytes, record)
        }
        let (minutes, minutesRecord) = try message(
            "m1", "Message-ID: <minutes@example.com>\r\nSubject: minutes\r\n\r\nItem one.\r\n",
            messageID: "<minutes@example.com>")
        let (other, _) = try message("m2", "Subject: other\r\n\r\nSomething else.\r\n", messageID: nil)
        let (sameIDOtherBytes, _) = try message(
            "m3", "Message-ID: <minutes@example.com>\r\nSubject: minutes\r\n\r\nItem two.\r\n",
            messageID: "<minutes@example.com>")
        let (noID, noIDRecord) = try message("m4", "Subject: no id\r\n\r\nNo Message-ID here.\r\n", messageID: nil)
        // UIDs 1..7: minutes, other, minutes (recorded), same Message-ID other bytes, minutes,
        // no-ID (recorded), no-ID.
        for bytes in [minutes, other, minutes, sameIDOtherBytes, minutes, noID, noID] {
            _ = try await client.append([AppendRequest(bytes: bytes)], to: .inbox)
        }
        try await client.select(.inbox)
        let sweep = LateCopySweep(client: client)

        let all = try await sweep.lateCopies(
            of: [minutesRecord, noIDRecord], maildir: maildir, recorded: [3, 6], fromUID: 1)
        #expect(all == [1, 5, 7], "same bytes, not recorded; never UID 4, whose bytes differ")
        let bounded = try await sweep.lateCopies(
            of: [minutesRecord, noIDRecord], maildir: maildir, recorded: [3, 6], fromUID: 4)
        #expect(bounded == [5, 7], "below the UIDNEXT the visit began with, a copy was there to be adopted")
        #expect(try await sweep.lateCopies(of: [], maildir: maildir, recorded: [], fromUID: 1).isEmpty)

        try await sweep.remove(bounded)
        let left = try await client.uidSearch("ALL")
        #expect(left == [1, 2, 3, 4, 6], "exactly the two late copies expunged")
        #expect(try await client.uidSearch("DELETED").isEmpty, "no other message was flagged \\Deleted")
        await client.logout()
    }

    @Test(
        "a visit cut after re-sending leaves the sweep owed; the next push, with nothing else to do, removes the late copy"
    )
    func owedSweepOutlivesACutVisit() async throws {
        let fixture = try await MigrationFixture.start(spec: .init(messagesPerFolder: 4))
        defer { fixture.stop() }
        _ = try await fixture.source.pull()
        _ = try await fixture.push()
        let expected = try await fixture.expectedOnTarget()
        #expect(try await fixture.targetSnapshot() == expected)

        // The APPEND of one INBOX message is cut after the server had it all: the ledger says
        // pending, and the reconnect does not see the copy yet (here: it is not there at all).
        let database = try StateDatabase(path: fixture.layout.database)
        let target = try database.target(host: fixture.target.host, port: fixture.target.imapsPort, user: "carol")
        let inbox = try #require(try database.folders().first { $0.name == "INBOX" })
        let uploads = try database.uploads(targetID: target.id, sourceFolderID: inbox.id)
        let message = try #require(try database.allMessages(folderID: inbox.id).first { $0.messageID != nil })
        var upload = try #require(uploads[message.id!])
        let copyUID = UInt32(try #require(upload.targetUID))
        let client = try await fixture.target.connectedClient(user: "carol", password: targetPassword)
        try await client.select(.inbox)
        try await client.uidStore(UIDSet([copyUID]), .add, flags: [.deleted])
        try await client.uidExpunge(UIDSet([copyUID]))
        upload.state = .pending
        upload.targetUID = nil
        try database.saveUploads([upload])

        // The visit that sends it again is killed right after that APPEND is recorded.
        let killed = try await fixture.runBinary("push", environment: ["MAILFERRY_FAULT": "after-append:1"])
        #expect(killed.killedBySignal, "\(killed.stdout)\(killed.stderr)")
        #expect(try database.owesLateCopySweep(targetID: target.id, folderID: inbox.id), "the sweep is still owed")
        #expect(try database.uploads(targetID: target.id, sourceFolderID: inbox.id)[message.id!]?.state == .uploaded)

        // Now the cut session's copy lands, after the re-sent one.
        let maildir = MaildirFolder(root: fixture.layout.maildir, relativePath: inbox.maildirPath)
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: "\(maildir.cur)/\(message.maildirFile)")))
        _ = try await client.append([AppendRequest(bytes: bytes)], to: .inbox)
        await client.logout()
        #expect(try await fixture.targetSnapshot().count == expected.count + 1, "two copies of the message")
        let seen = try await fixture.runBinary("verify")
        #expect(seen.status == 0, "a duplicate is reported, not a difference: \(seen.stdout)")
        #expect(seen.stdout.contains("the target holds 1 duplicate cop(ies)"), "\(seen.stdout)")
        #expect(seen.stdout.contains("INBOX target UID"), "\(seen.stdout)")

        let resumed = try await fixture.runBinary("push")
        #expect(resumed.status == 0, "\(resumed.stdout)\(resumed.stderr)")
        #expect(resumed.stderr.contains("removed 1 late copy"), "\(resumed.stderr)")
        #expect(try await fixture.targetSnapshot() == expected, "exactly one copy of each message")
        let clean = try await fixture.runBinary("verify")
        #expect(clean.status == 0 && !clean.stdout.contains("duplicate"), "\(clean.stdout)")
        #expect(try !database.owesLateCopySweep(targetID: target.id, folderID: inbox.id), "the debt is settled")
        let again = try await fixture.runBinary("push")
        #expect(again.stdout.contains("Uploaded   0 messages"), "\(again.stdout)")
        #expect(try await fixture.targetSnapshot() == expected)
    }
}
