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
}
