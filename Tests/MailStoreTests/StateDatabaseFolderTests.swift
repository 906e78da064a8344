import Foundation
import GRDB
import MailStore
import Testing

/// Folder rows: saving, folders gone at the source, keyword letters.
@Suite("StateDatabase folders")
struct StateDatabaseFolderTests {
    @Test("saving inserts once, then updates the same row")
    func save() throws {
        let store = try TestDatabase()
        var folder = try store.folder("Archive", pass: 1)
        let id = try #require(folder.id)
        folder.uidValidity = 1_700_000_000
        folder.highestModSeq = 42
        folder.lastSeenPass = 2
        try store.database.saveFolder(folder)
        #expect(folder.id == id)
        let rows = try store.database.folders()
        #expect(rows.count == 1)
        #expect(rows.first?.wireName == Data("Archive".utf8))
        #expect(rows.first?.uidValidity == 1_700_000_000)
        #expect(rows.first?.highestModSeq == 42)
        #expect(rows.first?.firstSeenPass == 1)
        #expect(rows.first?.lastSeenPass == 2)
        #expect(rows.first?.highestUID == 0)
    }

    @Test("folders not seen in this pass become gone; the rest are untouched")
    func markGone() throws {
        let store = try TestDatabase()
        try store.folder("Kept", pass: 2)
        try store.folder("Vanished", pass: 1)
        try store.folder("NoSelect", pass: 1, state: .unselectable)
        try store.folder("LongGone", pass: 1, state: .gone)
        let gone = try store.database.markUnseenFoldersGone(passID: 2)
        #expect(Set(gone) == ["Vanished", "NoSelect"])
        let states = Dictionary(uniqueKeysWithValues: try store.database.folders().map { ($0.name, $0.state) })
        #expect(states == ["Kept": .active, "Vanished": .gone, "NoSelect": .gone, "LongGone": .gone])
        #expect(try store.database.markUnseenFoldersGone(passID: 2).isEmpty, "reported once")
    }

    @Test("a gone folder keeps its messages")
    func goneKeepsMessages() throws {
        let store = try TestDatabase()
        let folder = try store.folder("Vanished", pass: 1).id
        try store.database.commitBatch(
            inserted: [TestDatabase.message(folder: folder, uid: 1, pass: 1)], rekeyed: [],
            folderID: folder, highestUID: 1, passID: 1)
        _ = try store.database.markUnseenFoldersGone(passID: 2)
        #expect(try store.database.messageCount(folderID: folder) == 1)
    }

    @Test("keywords get the next free position and keep it")
    func keywordPositions() throws {
        let store = try TestDatabase()
        let folder = try store.folder("INBOX", pass: 1).id
        #expect(try store.database.keywords(folderID: folder).isEmpty)
        #expect(try store.database.addKeywords(["$Forwarded", "Junk"], folderID: folder) == ["$Forwarded", "Junk"])
        #expect(
            try store.database.addKeywords(["Junk", "$label1", "$label1", "$Forwarded"], folderID: folder)
                == ["$Forwarded", "Junk", "$label1"])
        #expect(try store.database.addKeywords([], folderID: folder) == ["$Forwarded", "Junk", "$label1"])
        #expect(try store.database.keywords(folderID: folder) == ["$Forwarded", "Junk", "$label1"])
        let rows = try store.database.queue.read { db in
            try Row.fetchAll(
                db, sql: "SELECT position, keyword FROM folderKeyword WHERE folderID = ? ORDER BY position",
                arguments: [folder]
            )
            .map { ($0["position"] as Int, $0["keyword"] as String) }
        }
        #expect(rows.map(\.0) == [0, 1, 2])
        #expect(rows.map(\.1) == ["$Forwarded", "Junk", "$label1"])
    }

    @Test("each folder numbers its own keywords from 0")
    func keywordsPerFolder() throws {
        let store = try TestDatabase()
        let inbox = try store.folder("INBOX", pass: 1).id
        let archive = try store.folder("Archive", pass: 1).id
        _ = try store.database.addKeywords(["A", "B"], folderID: inbox)
        #expect(try store.database.addKeywords(["B"], folderID: archive) == ["B"])
        #expect(try store.database.keywords(folderID: inbox) == ["A", "B"])
        let position = try store.database.queue.read { db in
            try Int.fetchOne(
                db, sql: "SELECT position FROM folderKeyword WHERE folderID = ? AND keyword = 'B'", arguments: [archive]
            )
        }
        #expect(position == 0)
    }
}
