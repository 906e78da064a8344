import Foundation
import GRDB
import MailStore
import Testing

/// `state.sqlite` schema v1: what the migration creates and how the file is opened.
@Suite("StateDatabase schema")
struct StateDatabaseSchemaTests {
    static let columns: [String: [String]] = [
        "job": ["id", "sourceHost", "sourcePort", "sourceUser", "createdAt"],
        "pass": [
            "id", "kind", "status", "startedAt", "finishedAt", "archiveName", "messagesAdded", "bytesAdded",
            "flagsChanged",
        ],
        "folder": [
            "id", "wireName", "name", "separator", "attributes", "specialUse", "uidValidity", "highestUID",
            "highestModSeq", "maildirPath", "state", "firstSeenPass", "lastSeenPass",
            "syncedUIDNext", "syncedMessages",
        ],  // the last two from v5
        "folderKeyword": ["folderID", "position", "keyword"],
        "message": [
            "id", "folderID", "uidValidity", "uid", "flags", "internalDate", "size", "sha256", "messageID",
            "maildirFile", "passID", "flagsPassID", "sourceState",
            "gonePassID", "rekeyedPassID", "previousUIDValidity", "previousUID",
        ],
        "passIssue": ["id", "passID", "scope", "folder", "uid", "reason", "at"],
    ]

    /// Later migrations (v2-push, …) add tables of their own; v1's must stay as they are.
    @Test("migration v1 creates the documented tables, columns and indexes")
    func tables() throws {
        let store = try TestDatabase()
        let (tables, columns, indexes, migrations) = try store.database.queue.read { db in
            let tables = try String.fetchAll(
                db,
                sql:
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != 'grdb_migrations'"
            )
            var columns: [String: [String]] = [:]
            for table in tables {
                columns[table] = try Row.fetchAll(db, sql: "PRAGMA table_info(\(table))").map { $0["name"] as String }
            }
            let indexes = try String.fetchAll(
                db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%'")
            let migrations = try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations")
            return (tables, columns, indexes, migrations)
        }
        #expect(Set(Self.columns.keys).isSubset(of: Set(tables)))
        for (table, expected) in Self.columns {
            // Later migrations only append columns (v6 adds job.sourceNamespacePrefix).
            #expect(Array(columns[table, default: []].prefix(expected.count)) == expected, "columns of \(table)")
        }
        #expect(columns["job"]?.last == "sourceNamespacePrefix")
        #expect(Set(["messageIdentity", "messagePass"]).isSubset(of: Set(indexes)))
        #expect(migrations.first == "v1")
    }

    @Test("a file database is in WAL mode with synchronous = NORMAL and foreign keys on")
    func pragmas() throws {
        let store = try TestDatabase()
        let (journal, synchronous, foreignKeys) = try store.database.queue.read { db in
            (
                try String.fetchOne(db, sql: "PRAGMA journal_mode"), try Int.fetchOne(db, sql: "PRAGMA synchronous"),
                try Int.fetchOne(db, sql: "PRAGMA foreign_keys")
            )
        }
        #expect(journal == "wal")
        #expect(synchronous == 1, "NORMAL: durable records point only at synced files (see StateDatabase)")
        #expect(foreignKeys == 1)
    }

    @Test("reopening keeps the data and does not migrate again")
    func reopen() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("state.sqlite")
        let count = "SELECT COUNT(*) FROM grdb_migrations"
        let applied = try {
            let database = try StateDatabase(path: path)
            try database.bindJob(host: "imap.example.com", port: 993, user: "alice")
            return try database.queue.read { db in try Int.fetchOne(db, sql: count) }
        }()
        let again = try StateDatabase(path: path)
        #expect(try again.job()?.sourceUser == "alice")
        let migrations = try again.queue.read { db in try Int.fetchOne(db, sql: count) }
        #expect(applied != nil && migrations == applied)
    }

    @Test("a file that is not a database is reported as damaged")
    func garbage() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("state.sqlite")
        try Data(repeating: 0x5A, count: 8192).write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: StoreError.self) { try StateDatabase(path: path) }
        guard case .corrupt(let reported, _)? = error else {
            Issue.record("expected .corrupt, got \(String(describing: error))"); return
        }
        #expect(reported == path)
    }

    /// `translate` says SQLITE_CANTOPEN means "not writable"; the initializer turns every
    /// DatabaseError into `.corrupt` before anyone can translate it, so a store on a missing or
    /// read-only folder is reported as "state.sqlite is damaged".
    @Test("a database that cannot be created is not writable, not damaged")
    func cannotCreate() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("missing/state.sqlite")
        let error = #expect(throws: StoreError.self) { try StateDatabase(path: path) }
        guard case .notWritable(let reported, _)? = error else {
            Issue.record("expected .notWritable, got \(String(describing: error))"); return
        }
        #expect(reported == path)
    }

    @Test("there is exactly one job row")
    func singleJob() throws {
        let store = try TestDatabase()
        try store.database.bindJob(host: "h", port: 993, user: "u")
        #expect(throws: DatabaseError.self) {
            try store.database.queue.write { db in
                try db.execute(
                    sql:
                        "INSERT INTO job (id, sourceHost, sourcePort, sourceUser, createdAt) VALUES (2, 'h', 1, 'u', '2026-01-01')"
                )
            }
        }
    }

    @Test("a folder's wire name is unique")
    func uniqueWireName() throws {
        let store = try TestDatabase()
        try store.folder("Archive", pass: 1)
        #expect(throws: DatabaseError.self) { try store.folder("Archive", pass: 1) }
    }

    @Test("a message is unique per folder, UIDVALIDITY and UID")
    func uniqueMessage() throws {
        let store = try TestDatabase()
        let folder = try store.folder("INBOX", pass: 1).id
        var one = TestDatabase.message(folder: folder, uid: 1, pass: 1)
        try store.database.queue.write { db in try one.insert(db) }
        var same = TestDatabase.message(folder: folder, uid: 1, pass: 1)
        #expect(throws: DatabaseError.self) { try store.database.queue.write { db in try same.insert(db) } }
        var otherGeneration = TestDatabase.message(folder: folder, uidValidity: 101, uid: 1, pass: 1)
        try store.database.queue.write { db in try otherGeneration.insert(db) }
    }

    @Test("deleting a folder row deletes its messages and keywords")
    func cascade() throws {
        let store = try TestDatabase()
        let folder = try store.folder("Archive", pass: 1).id
        try store.database.commitBatch(
            inserted: [TestDatabase.message(folder: folder, uid: 1, pass: 1)], rekeyed: [],
            folderID: folder, highestUID: 1, passID: 1)
        _ = try store.database.addKeywords(["Junk"], folderID: folder)
        try store.database.queue.write { db in
            try db.execute(sql: "DELETE FROM folder WHERE id = ?", arguments: [folder])
        }
        #expect(try store.database.messageCount(folderID: folder) == 0)
        #expect(try store.database.keywords(folderID: folder).isEmpty)
    }
}
