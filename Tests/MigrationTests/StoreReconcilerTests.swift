import Foundation
import Logging
import MailStore
import Testing

@testable import Migration

/// The start-of-run check that brings a killed run's Maildir back in line with the ledger,
/// on real files and a real state database.
@Suite("StoreReconciler")
struct StoreReconcilerTests {
    @Test("unrecorded and doubled files go, renamed files are re-recorded, lost files are forgotten")
    func reconciles() throws {
        let directory = try TemporaryDirectory()
        let layout = StoreLayout(storeRoot: directory.path, job: "job")
        try FileManager.default.createDirectory(atPath: layout.jobRoot, withIntermediateDirectories: true)
        let database = try StateDatabase(path: layout.database)
        let pass = try database.openPass().id
        let folder = try database.insertFolder(
            FolderRecord.New(
                wireName: Data("Archive".utf8), name: "Archive", separator: ".", attributes: "", specialUse: nil,
                maildirPath: "Archive", state: .active, pass: pass))
        let maildir = MaildirFolder(root: layout.maildir, relativePath: "Archive")
        try maildir.create()
        func name(_ uid: UInt32, _ info: String = "S") -> MaildirFileName {
            MaildirFileName(internalDateSeconds: 1_700_000_000, uid: uid, uidValidity: 100, size: 10, info: info)
        }
        func record(_ uid: UInt32) -> MessageRecord {
            MessageRecord(
                folderID: folder.id, uidValidity: 100, uid: Int64(uid), flags: FlagList(text: "\\Seen"),
                internalDate: "14-Nov-2023 22:13:20 +0000", size: 10, sha256: String(repeating: "a", count: 64),
                messageID: "<\(uid)@example.com>", maildirFile: name(uid).fileName, passID: pass)
        }
        try database.commitBatch(
            inserted: [record(1), record(2), record(3)], rekeyed: [], folderID: folder.id, highestUID: 3, passID: pass)
        func touch(_ file: MaildirFileName) {
            FileManager.default.createFile(atPath: maildir.cur + "/" + file.fileName, contents: Data("0123456789".utf8))
        }
        touch(name(1))  // as recorded
        touch(name(2, "FS"))  // renamed for new flags, the update not recorded
        touch(name(2, "S"))  // the same message once more under its old name
        touch(name(9))  // renamed into cur/ before its transaction committed
        // UID 3 has no file: it was lost, and must be fetched again.

        try StoreReconciler(database: database, layout: layout, logger: Logger(label: "test")).reconcile()

        let left = Set(maildir.storedFiles().map(\.uid))
        #expect(left == [1, 2])
        let rows = try database.allMessages(folderID: folder.id)
        #expect(rows.map(\.uid).sorted() == [1, 2])
        let two = try #require(rows.first { $0.uid == 2 })
        let kept = try #require(maildir.storedFiles().first { $0.uid == 2 })
        #expect(two.maildirFile == kept.fileName)
        #expect(
            try database.storedFiles(folderID: folder.id).map(\.maildirFile).sorted()
                == rows.map(\.maildirFile).sorted())
    }
}
