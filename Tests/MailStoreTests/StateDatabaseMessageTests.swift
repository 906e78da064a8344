import Foundation
import GRDB
import MailStore
import Testing

/// Message rows: group commits, flag updates, what a pass archives, re-keying a generation.
@Suite("StateDatabase messages")
struct StateDatabaseMessageTests {
    /// A database with one running pass and one folder.
    static func setUp() throws -> (TestDatabase, pass: Int64, folder: Int64) {
        let store = try TestDatabase()
        let pass = try store.database.openPass().id
        let folder = try store.folder("INBOX", pass: pass).id
        return (store, pass, folder)
    }

    @Test("a batch stores its rows, raises the highest UID and counts messages and bytes")
    func commitBatch() throws {
        let (store, pass, folder) = try Self.setUp()
        let batch = [
            TestDatabase.message(folder: folder, uid: 3, pass: pass, size: 300),
            TestDatabase.message(folder: folder, uid: 5, pass: pass, size: 500),
        ]
        try store.database.commitBatch(inserted: batch, rekeyed: [], folderID: folder, highestUID: 5, passID: pass)
        try store.database.commitBatch(
            inserted: [TestDatabase.message(folder: folder, uid: 4, pass: pass, size: 40)], rekeyed: [],
            folderID: folder, highestUID: 4, passID: pass)

        let stored = try store.database.messages(folderID: folder, uidValidity: 100)
        #expect(Set(stored.keys) == [3, 4, 5])
        #expect(stored[5]?.size == 500)
        #expect(stored[5]?.sourceState == .present)
        #expect(stored[5]?.flagsPassID == pass)
        #expect(stored[5]?.id != nil)
        #expect(try store.database.folders().first?.highestUID == 5, "a lower UID never lowers it")
        let record = try #require(try store.database.pass(id: pass))
        #expect(record.messagesAdded == 3)
        #expect(record.bytesAdded == 840)
    }

    @Test("every column of a message row survives the written-out row codec, written both ways")
    func everyColumnRoundTrips() throws {
        let (store, pass, folder) = try Self.setUp()
        var full = TestDatabase.message(
            folder: folder, uid: 7, pass: pass, flags: "\\Seen \\Flagged $Label1", size: 1234,
            sha256: String(repeating: "ab", count: 32), messageID: "<full@example.com>")
        full.flagsPassID = pass + 1
        full.sourceState = .gone
        full.gonePassID = pass + 2
        full.rekeyedPassID = pass + 3
        full.previousUIDValidity = 99
        full.previousUID = 70
        var sparse = TestDatabase.message(folder: folder, uid: 8, pass: pass, flags: "")
        sparse.messageID = nil
        // One through the batch's own statement, one through GRDB's insert (encode(to:)).
        try store.database.commitBatch(inserted: [full], rekeyed: [], folderID: folder, highestUID: 7, passID: pass)
        try store.database.queue.write { db in try sparse.insert(db) }

        let stored = try store.database.queue.read { db in try MessageRecord.order(Column("uid")).fetchAll(db) }
        try #require(stored.count == 2)
        for (written, read) in zip([full, sparse], stored) {
            #expect(read.id != nil)
            #expect(read.folderID == written.folderID)
            #expect(read.uidValidity == written.uidValidity)
            #expect(read.uid == written.uid)
            #expect(read.flags.names == written.flags.names, "order kept, not only the set")
            #expect(read.internalDate == written.internalDate)
            #expect(read.size == written.size)
            #expect(read.sha256 == written.sha256)
            #expect(read.messageID == written.messageID)
            #expect(read.maildirFile == written.maildirFile)
            #expect(read.passID == written.passID)
            #expect(read.flagsPassID == written.flagsPassID)
            #expect(read.sourceState == written.sourceState)
            #expect(read.gonePassID == written.gonePassID)
            #expect(read.rekeyedPassID == written.rekeyedPassID)
            #expect(read.previousUIDValidity == written.previousUIDValidity)
            #expect(read.previousUID == written.previousUID)
        }
        let stateText = try store.database.queue.read { db in
            try String.fetchAll(db, sql: "SELECT sourceState FROM message ORDER BY uid")
        }
        #expect(stateText == ["gone", "present"], "stored as the schema's text")
    }

    @Test("a batch is one transaction: a failing row leaves nothing of it")
    func atomic() throws {
        let (store, pass, folder) = try Self.setUp()
        try store.database.commitBatch(
            inserted: [TestDatabase.message(folder: folder, uid: 1, pass: pass)], rekeyed: [],
            folderID: folder, highestUID: 1, passID: pass)
        let batch = [
            TestDatabase.message(folder: folder, uid: 2, pass: pass),
            TestDatabase.message(folder: folder, uid: 1, pass: pass),
        ]  // already stored
        #expect(throws: DatabaseError.self) {
            try store.database.commitBatch(inserted: batch, rekeyed: [], folderID: folder, highestUID: 2, passID: pass)
        }
        #expect(Set(try store.database.messages(folderID: folder, uidValidity: 100).keys) == [1])
        #expect(try store.database.folders().first?.highestUID == 1)
        #expect(try store.database.pass(id: pass)?.messagesAdded == 1)
    }

    @Test("messages are per generation")
    func perGeneration() throws {
        let (store, pass, folder) = try Self.setUp()
        let other = try store.folder("Archive", pass: pass).id
        try store.database.commitBatch(
            inserted: [
                TestDatabase.message(folder: folder, uidValidity: 100, uid: 1, pass: pass),
                TestDatabase.message(folder: folder, uidValidity: 200, uid: 1, pass: pass),
                TestDatabase.message(folder: folder, uidValidity: 200, uid: 2, pass: pass),
            ],
            rekeyed: [], folderID: folder, highestUID: 2, passID: pass)
        try store.database.commitBatch(
            inserted: [TestDatabase.message(folder: other, uidValidity: 100, uid: 9, pass: pass)],
            rekeyed: [], folderID: other, highestUID: 9, passID: pass)
        #expect(Set(try store.database.messages(folderID: folder, uidValidity: 100).keys) == [1])
        #expect(Set(try store.database.messages(folderID: folder, uidValidity: 200).keys) == [1, 2])
        #expect(try store.database.messages(folderID: folder, uidValidity: 300).isEmpty)
        #expect(try store.database.allMessages(folderID: folder).count == 3)
        #expect(try store.database.messageCount(folderID: folder) == 3)
        #expect(try store.database.messageCount(folderID: other) == 1)
    }

    @Test("a re-keyed row moves to the new generation without counting as added")
    func rekey() throws {
        let (store, pass, folder) = try Self.setUp()
        try store.database.commitBatch(
            inserted: [TestDatabase.message(folder: folder, uidValidity: 100, uid: 7, pass: pass, size: 70)],
            rekeyed: [], folderID: folder, highestUID: 7, passID: pass)
        let old = try #require(try store.database.messages(folderID: folder, uidValidity: 100)[7])
        var moved = TestDatabase.message(folder: folder, uidValidity: 200, uid: 1, pass: pass + 1, size: 70)
        moved.id = old.id
        moved.passID = old.passID
        try store.database.commitBatch(inserted: [], rekeyed: [moved], folderID: folder, highestUID: 1, passID: pass)
        #expect(try store.database.messages(folderID: folder, uidValidity: 100).isEmpty)
        let now = try #require(try store.database.messages(folderID: folder, uidValidity: 200)[1])
        #expect(now.id == old.id)
        #expect(now.passID == pass)
        #expect(now.flagsPassID == pass + 1)
        #expect(try store.database.pass(id: pass)?.messagesAdded == 1)
        #expect(try store.database.pass(id: pass)?.bytesAdded == 70)
    }

    @Test("flag updates rewrite flags and file name, and count")
    func updateFlags() throws {
        let (store, pass, folder) = try Self.setUp()
        try store.database.commitBatch(
            inserted: [
                TestDatabase.message(folder: folder, uid: 1, pass: pass),
                TestDatabase.message(folder: folder, uid: 2, pass: pass),
            ],
            rekeyed: [], folderID: folder, highestUID: 2, passID: pass)
        try store.database.sealPass(pass, archiveName: "a.tar")
        let next = try store.database.openPass().id
        let one = try #require(try store.database.messages(folderID: folder, uidValidity: 100)[1])
        try store.database.updateFlags(
            [(id: one.id!, flags: "\\Seen \\Flagged $Forwarded", maildirFile: "new-name:2,FSa")], passID: next)
        try store.database.updateFlags([], passID: next)

        let rows = try store.database.messages(folderID: folder, uidValidity: 100)
        #expect(rows[1]?.flags == "\\Seen \\Flagged $Forwarded")
        #expect(rows[1]?.maildirFile == "new-name:2,FSa")
        #expect(rows[1]?.flagsPassID == next)
        #expect(rows[1]?.passID == pass, "the bytes still belong to the pass that stored them")
        #expect(rows[2]?.flagsPassID == pass)
        #expect(rows[2]?.flags == "\\Seen")
        #expect(try store.database.pass(id: next)?.flagsChanged == 1)
        #expect(try store.database.pass(id: pass)?.flagsChanged == 0)
    }

    @Test("a pass's content: what it stored, and the flags it changed on older messages")
    func passContent() throws {
        let (store, first, inbox) = try Self.setUp()
        let archive = try store.folder("Archive", pass: first).id
        try store.database.commitBatch(
            inserted: [
                TestDatabase.message(folder: inbox, uid: 2, pass: first),
                TestDatabase.message(folder: inbox, uid: 1, pass: first),
            ],
            rekeyed: [], folderID: inbox, highestUID: 2, passID: first)
        try store.database.commitBatch(
            inserted: [TestDatabase.message(folder: archive, uid: 1, pass: first)],
            rekeyed: [], folderID: archive, highestUID: 1, passID: first)
        try store.database.sealPass(first, archiveName: "full.tar")
        let second = try store.database.openPass().id
        try store.database.commitBatch(
            inserted: [TestDatabase.message(folder: inbox, uid: 3, pass: second)],
            rekeyed: [], folderID: inbox, highestUID: 3, passID: second)
        let old = try #require(try store.database.messages(folderID: inbox, uidValidity: 100)[2])
        let new = try #require(try store.database.messages(folderID: inbox, uidValidity: 100)[3])
        try store.database.updateFlags(
            [
                (id: old.id!, flags: "\\Seen \\Answered", maildirFile: old.maildirFile),
                (id: new.id!, flags: "\\Deleted", maildirFile: new.maildirFile),
            ], passID: second)

        let full = try store.database.passContent(passID: first)
        #expect(full.storedCount == 3)
        #expect(
            try store.database.storedFiles(passID: first).map { [$0.folderID, $0.uid] } == [
                [inbox, 1], [inbox, 2], [archive, 1],
            ],
            "ordered by folder, then UID")
        #expect(full.flagUpdates.isEmpty)

        let delta = try store.database.passContent(passID: second)
        #expect(delta.storedCount == 1)
        let deltaRows = try store.database.withStoredMessages(passID: second) { Array($0) }
        #expect(deltaRows.map(\.uid) == [3])
        #expect(
            deltaRows.first?.flags == "\\Deleted",
            "a message stored and changed in one pass is archived with its last flags")
        #expect(delta.flagUpdates.map(\.uid) == [2], "only older messages are flag updates")
        #expect(delta.flagUpdates.first?.flags == "\\Seen \\Answered")
    }

    @Test("source deletions are marked, never erased")
    func markSourceGone() throws {
        let (store, pass, folder) = try Self.setUp()
        try store.database.commitBatch(
            inserted: [
                TestDatabase.message(folder: folder, uid: 1, pass: pass),
                TestDatabase.message(folder: folder, uid: 2, pass: pass),
            ],
            rekeyed: [], folderID: folder, highestUID: 2, passID: pass)
        let one = try #require(try store.database.messages(folderID: folder, uidValidity: 100)[1])
        try store.database.markSourceGone(ids: [one.id!], passID: pass)
        try store.database.markSourceGone(ids: [], passID: pass)
        let rows = try store.database.messages(folderID: folder, uidValidity: 100)
        #expect(rows[1]?.sourceState == .gone)
        #expect(rows[1]?.gonePassID == pass)
        #expect(try store.database.passContent(passID: pass).deletions.map(\.uid) == [1])
        #expect(rows[2]?.sourceState == .present)
    }

    @Test("forgetting rows deletes exactly those")
    func forget() throws {
        let (store, pass, folder) = try Self.setUp()
        try store.database.commitBatch(
            inserted: [
                TestDatabase.message(folder: folder, uid: 1, pass: pass),
                TestDatabase.message(folder: folder, uid: 2, pass: pass),
            ],
            rekeyed: [], folderID: folder, highestUID: 2, passID: pass)
        let one = try #require(try store.database.messages(folderID: folder, uidValidity: 100)[1])
        try store.database.forget(messageIDs: [one.id!])
        #expect(Set(try store.database.messages(folderID: folder, uidValidity: 100).keys) == [2])
    }

    @Test("setMaildirFile records the file's current name")
    func setMaildirFile() throws {
        let (store, pass, folder) = try Self.setUp()
        try store.database.commitBatch(
            inserted: [TestDatabase.message(folder: folder, uid: 1, pass: pass)],
            rekeyed: [], folderID: folder, highestUID: 1, passID: pass)
        let one = try #require(try store.database.messages(folderID: folder, uidValidity: 100)[1])
        try store.database.setMaildirFile(messageID: one.id!, to: "renamed:2,FS")
        #expect(try store.database.messages(folderID: folder, uidValidity: 100)[1]?.maildirFile == "renamed:2,FS")
        #expect(try store.database.messages(folderID: folder, uidValidity: 100)[1]?.flags == one.flags)
    }
}
