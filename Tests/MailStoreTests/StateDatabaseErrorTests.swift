import Foundation
import GRDB
import MailStore
import Testing

/// SQLite errors in the store's terms (`StateDatabase.translate`).
@Suite("StateDatabase error translation")
struct StateDatabaseErrorTests {
    static let path = "/store/job/state.sqlite"

    @Test("a full disk becomes diskFull")
    func full() {
        let error = StateDatabase.translate(
            DatabaseError(resultCode: .SQLITE_FULL, message: "database or disk is full"), path: Self.path)
        #expect(error as? StoreError == .diskFull(path: Self.path))
    }

    @Test(
        "I/O, open and read-only failures become notWritable, with SQLite's message",
        arguments: [
            ResultCode.SQLITE_IOERR, .SQLITE_CANTOPEN, .SQLITE_READONLY, .SQLITE_IOERR_WRITE, .SQLITE_IOERR_FSYNC,
        ])
    func notWritable(_ code: ResultCode) {
        let error = StateDatabase.translate(DatabaseError(resultCode: code, message: "boom"), path: Self.path)
        #expect(error as? StoreError == .notWritable(path: Self.path, reason: "boom"))
    }

    @Test(
        "other SQLite errors pass through unchanged",
        arguments: [ResultCode.SQLITE_CONSTRAINT, .SQLITE_BUSY, .SQLITE_CORRUPT])
    func passThrough(_ code: ResultCode) {
        let original = DatabaseError(resultCode: code, message: "other")
        let error = StateDatabase.translate(original, path: Self.path)
        #expect((error as? DatabaseError)?.resultCode == code)
        #expect(!(error is StoreError))
    }

    @Test("errors that are not SQLite's pass through unchanged")
    func notSQLite() {
        let error = StateDatabase.translate(StoreError.locked(job: "j", holderPID: 7), path: Self.path)
        #expect(error as? StoreError == .locked(job: "j", holderPID: 7))
        let cocoa = StateDatabase.translate(CocoaError(.fileNoSuchFile), path: Self.path)
        #expect(cocoa is CocoaError)
    }

    /// A real SQLITE_FULL: the database may not grow past its current pages.
    @Test("a database that cannot grow reports SQLITE_FULL, translated to diskFull")
    func realFull() throws {
        let store = try TestDatabase()
        let folder = try store.folder("INBOX", pass: 1).id
        let pages = try store.database.queue.read { db in try Int.fetchOne(db, sql: "PRAGMA page_count")! }
        try store.database.queue.writeWithoutTransaction { db in
            _ = try Int.fetchOne(db, sql: "PRAGMA max_page_count = \(pages)")
        }
        let big = (1...200).map { uid in
            TestDatabase.message(folder: folder, uid: Int64(uid), pass: 1, flags: String(repeating: "k", count: 4000))
        }
        do {
            try store.database.commitBatch(inserted: big, rekeyed: [], folderID: folder, highestUID: 200, passID: 1)
            Issue.record("800 kB fitted in \(pages) pages")
        } catch {
            #expect((error as? DatabaseError)?.resultCode == .SQLITE_FULL)
            #expect(StateDatabase.translate(error, path: store.path) as? StoreError == .diskFull(path: store.path))
        }
        #expect(try store.database.messageCount(folderID: folder) == 0, "the failed batch left nothing behind")
    }
}
