import Foundation
import GRDB

/// The queries and transactions a pull pass needs.
extension StateDatabase {
    /// Records the source account on first use; refuses a job that belongs to another account.
    public func bindJob(host: String, port: Int, user: String) throws {
        try queue.write { db in
            if let job = try JobRecord.fetchOne(db, key: 1) {
                // The port may change (993 or 143 reach the same mailbox); the account may not.
                guard job.sourceUser.lowercased() == user.lowercased(), job.sourceHost.lowercased() == host.lowercased()
                else {
                    throw StoreError.jobBelongsToOtherAccount(
                        job: (path as NSString).deletingLastPathComponent,
                        owner: "\(job.sourceUser) on \(job.sourceHost):\(job.sourcePort)",
                        requested: "\(user) on \(host):\(port)")
                }
            } else {
                try JobRecord(sourceHost: host, sourcePort: port, sourceUser: user).insert(db)
            }
        }
    }

    /// Records the source's personal namespace prefix (from NAMESPACE, or an override).
    public func recordSourceNamespacePrefix(_ prefix: String) throws {
        try queue.write { db in
            try db.execute(sql: "UPDATE job SET sourceNamespacePrefix = ? WHERE id = 1", arguments: [prefix])
        }
    }

    public func job() throws -> JobRecord? {
        try queue.read { try JobRecord.fetchOne($0, key: 1) }
    }

    /// The unfinished pass if a run was interrupted (it is resumed), else a new one: full when
    /// nothing was sealed before, delta otherwise.
    public func openPass() throws -> PassRecord {
        try queue.write { db in
            if let running = try PassRecord.filter(Column("status") == PassRecord.Status.running.rawValue).order(
                Column("id")
            ).fetchOne(db) {
                return running
            }
            let hasSealed =
                try PassRecord.filter(Column("status") == PassRecord.Status.sealed.rawValue).fetchCount(db) > 0
            try db.execute(
                sql: "INSERT INTO pass (kind, status, startedAt) VALUES (?, ?, ?)",
                arguments: [
                    (hasSealed ? PassRecord.Kind.delta : .full).rawValue, PassRecord.Status.running.rawValue,
                    Date().databaseText,
                ])
            return try PassRecord.fetchOne(db, key: db.lastInsertedRowID)!
        }
    }

    public func passes() throws -> [PassRecord] {
        try queue.read { try PassRecord.order(Column("id")).fetchAll($0) }
    }

    /// Names the archive a pass is about to write, before writing it: a run that dies after
    /// the archive's rename but before `sealPass` is recognised as sealed by the next run.
    public func recordArchiveIntent(_ passID: Int64, archiveName: String) throws {
        try queue.write { db in
            try db.execute(sql: "UPDATE pass SET archiveName = ? WHERE id = ?", arguments: [archiveName, passID])
        }
    }

    public func sealPass(_ passID: Int64, archiveName: String) throws {
        try queue.write { db in
            try db.execute(
                sql: "UPDATE pass SET status = 'sealed', finishedAt = ?, archiveName = ? WHERE id = ?",
                arguments: [Date().databaseText, archiveName, passID])
        }
    }

    public func folders() throws -> [FolderRecord] {
        try queue.read { try FolderRecord.order(Column("id")).fetchAll($0) }
    }

    public func saveFolder(_ folder: FolderRecord) throws {
        try queue.write { db in try folder.update(db) }
    }

    /// Inserts a folder seen for the first time; returns it with its id.
    public func insertFolder(_ folder: FolderRecord.New) throws -> FolderRecord {
        try saveFolders([.insert(folder)])[0]
    }

    /// Writes many folders in one transaction (one fsync instead of one per folder); returns
    /// them as stored, in the same order.
    public func saveFolders(_ changes: [FolderChange]) throws -> [FolderRecord] {
        try queue.write { db in
            try changes.map { change in
                switch change {
                case .update(let folder):
                    try folder.update(db)
                    return folder
                case .insert(let new):
                    try new.insert(db)
                    return FolderRecord(id: db.lastInsertedRowID, new)
                }
            }
        }
    }

    /// Marks every active folder not seen in `passID`'s LIST as gone (kept locally, never erased).
    public func markUnseenFoldersGone(passID: Int64) throws -> [String] {
        try queue.write { db in
            let gone = try FolderRecord.filter(
                Column("lastSeenPass") < passID && Column("state") != FolderRecord.State.gone.rawValue
            ).fetchAll(db)
            try db.execute(
                sql: "UPDATE folder SET state = 'gone' WHERE lastSeenPass < ? AND state != 'gone'", arguments: [passID])
            return gone.map(\.name)
        }
    }

    public func keywords(folderID: Int64) throws -> [String] {
        try queue.read { db in
            try String.fetchAll(
                db, sql: "SELECT keyword FROM folderKeyword WHERE folderID = ? ORDER BY position", arguments: [folderID]
            )
        }
    }

    public func addKeywords(_ keywords: [String], folderID: Int64) throws -> [String] {
        try queue.write { db in
            var known = try String.fetchAll(
                db, sql: "SELECT keyword FROM folderKeyword WHERE folderID = ? ORDER BY position", arguments: [folderID]
            )
            for keyword in keywords where !known.contains(keyword) {
                try FolderKeywordRecord(folderID: folderID, position: known.count, keyword: keyword).insert(db)
                known.append(keyword)
            }
            return known
        }
    }

    /// Stored messages of a folder generation, keyed by UID.
    public func messages(folderID: Int64, uidValidity: Int64) throws -> [Int64: MessageRecord] {
        try queue.read { db in
            let rows = try MessageRecord.filter(Column("folderID") == folderID && Column("uidValidity") == uidValidity)
                .fetchAll(db)
            return Dictionary(rows.map { ($0.uid, $0) }, uniquingKeysWith: { a, _ in a })
        }
    }

    /// Stored UIDs of a folder generation with their row id and source state: enough to find
    /// new and deleted messages without decoding whole rows (a no-op pass over a big folder).
    public func storedUIDs(folderID: Int64, uidValidity: Int64) throws -> [Int64: (id: Int64, present: Bool)] {
        try queue.read { db in
            var result: [Int64: (id: Int64, present: Bool)] = [:]
            let rows = try Row.fetchCursor(
                db, sql: "SELECT uid, id, sourceState FROM message WHERE folderID = ? AND uidValidity = ?",
                arguments: [folderID, uidValidity])
            while let row = try rows.next() {
                result[row[0]] = (row[1], (row[2] as String) == "present")
            }
            return result
        }
    }

    /// Rows of a folder generation for some UIDs.
    public func messages(folderID: Int64, uidValidity: Int64, uids: [Int64]) throws -> [Int64: MessageRecord] {
        try queue.read { db in
            var result: [Int64: MessageRecord] = [:]
            for start in stride(from: 0, to: uids.count, by: 500) {
                let chunk = Array(uids[start..<min(start + 500, uids.count)])
                for row in try MessageRecord.filter(
                    Column("folderID") == folderID && Column("uidValidity") == uidValidity
                )
                .filter(chunk.contains(Column("uid"))).fetchAll(db) {
                    result[row.uid] = row
                }
            }
            return result
        }
    }

    /// Every message of a folder, any generation.
    public func allMessages(folderID: Int64) throws -> [MessageRecord] {
        try queue.read { db in try MessageRecord.filter(Column("folderID") == folderID).fetchAll(db) }
    }

    /// Each message's identity and Maildir file name, for checking the Maildir against the
    /// ledger at every run's start: four columns by position instead of whole records, which
    /// made that check most of a no-op pass's CPU.
    public func storedFiles(folderID: Int64) throws -> [StoredMessageFile] {
        try queue.read { db in
            let cursor = try Row.fetchCursor(
                db, sql: "SELECT id, uidValidity, uid, maildirFile FROM message WHERE folderID = ?",
                arguments: [folderID])
            var files: [StoredMessageFile] = []
            while let row = try cursor.next() {
                files.append(
                    StoredMessageFile(
                        id: row[0], key: StoredMessageFile.Key(uidValidity: row[1], uid: row[2]), maildirFile: row[3]))
            }
            return files
        }
    }

    /// A message of an older generation with the same identity, to re-key instead of storing twice.
    public func previousGenerationMatch(
        folderID: Int64, currentUIDValidity: Int64, messageID: String?, size: Int64, sha256: String,
        excluding claimed: Set<Int64> = []
    ) throws -> MessageRecord? {
        try queue.read { db in
            try MessageRecord
                .filter(Column("folderID") == folderID && Column("uidValidity") != currentUIDValidity)
                .filter(!claimed.contains(Column("id")))
                .filter(Column("size") == size && Column("sha256") == sha256)
                .filter(messageID == nil ? Column("messageID") == nil : Column("messageID") == messageID)
                .fetchOne(db)
        }
    }

    /// Records a committed batch in one transaction: new rows, re-keyed rows, the folder's
    /// highest UID and the pass counters.
    public func commitBatch(
        inserted: [MessageRecord], rekeyed: [MessageRecord], folderID: Int64, highestUID: Int64, passID: Int64
    ) throws {
        try queue.write { db in
            // One cached statement for every row: GRDB's generic insert builds its arguments
            // through the record's PersistenceContainer and looks the statement up each time.
            let insert = try db.cachedStatement(
                sql: """
                    INSERT INTO message (folderID, uidValidity, uid, flags, internalDate, size, sha256, messageID,
                        maildirFile, passID, flagsPassID, sourceState, gonePassID, rekeyedPassID,
                        previousUIDValidity, previousUID)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
            for record in inserted {
                try insert.execute(arguments: [
                    record.folderID, record.uidValidity, record.uid, record.flags.text, record.internalDate,
                    record.size, record.sha256, record.messageID, record.maildirFile, record.passID,
                    record.flagsPassID, record.sourceState.rawValue, record.gonePassID, record.rekeyedPassID,
                    record.previousUIDValidity, record.previousUID,
                ])
            }
            for record in rekeyed { try record.update(db) }
            try db.execute(
                sql: "UPDATE folder SET highestUID = MAX(highestUID, ?) WHERE id = ?",
                arguments: [highestUID, folderID])
            let bytes = inserted.reduce(Int64(0)) { $0 + $1.size }
            try db.execute(
                sql: "UPDATE pass SET messagesAdded = messagesAdded + ?, bytesAdded = bytesAdded + ? WHERE id = ?",
                arguments: [inserted.count, bytes, passID])
        }
    }

    /// Applies flag changes found at the source.
    public func updateFlags(_ changes: [(id: Int64, flags: FlagList, maildirFile: String)], passID: Int64) throws {
        guard !changes.isEmpty else { return }
        try queue.write { db in
            for change in changes {
                try db.execute(
                    sql: "UPDATE message SET flags = ?, maildirFile = ?, flagsPassID = ? WHERE id = ?",
                    arguments: [change.flags.text, change.maildirFile, passID, change.id])
            }
            try db.execute(
                sql: "UPDATE pass SET flagsChanged = flagsChanged + ? WHERE id = ?", arguments: [changes.count, passID])
        }
    }

    public func setMaildirFile(messageID id: Int64, to file: String) throws {
        try queue.write { db in
            try db.execute(sql: "UPDATE message SET maildirFile = ? WHERE id = ?", arguments: [file, id])
        }
    }

    public func markSourceGone(ids: [Int64], passID: Int64) throws {
        guard !ids.isEmpty else { return }
        try queue.write { db in
            for id in ids {
                try db.execute(
                    sql: "UPDATE message SET sourceState = 'gone', gonePassID = ? WHERE id = ?",
                    arguments: [passID, id])
            }
        }
    }

    /// Recorded on the run in progress unless the issue names one.
    public func recordIssue(_ issue: PassIssueRecord) throws {
        var issue = issue
        if issue.runID == nil { issue.runID = currentRun.id }
        try queue.write { db in try issue.insert(db) }
    }

    public func issues(passID: Int64) throws -> [PassIssueRecord] {
        try queue.read { db in try PassIssueRecord.filter(Column("passID") == passID).order(Column("id")).fetchAll(db) }
    }

    public func pass(id: Int64) throws -> PassRecord? {
        try queue.read { db in try PassRecord.fetchOne(db, key: id) }
    }

    /// What a pass did, for its archive: how many messages it stored (the rows themselves are
    /// streamed by `withStoredMessages` or listed by `storedFiles`, so that a pass of any size
    /// costs little memory), messages whose flags it changed, messages it found deleted at the
    /// source, and messages it moved to a new UID.
    public struct PassContent: Sendable {
        public var storedCount: Int
        public var storedBytes: Int64
        public var flagUpdates: [MessageRecord]
        public var deletions: [MessageRecord]
        public var rekeyed: [MessageRecord]
        public var isEmpty: Bool { storedCount == 0 && flagUpdates.isEmpty && deletions.isEmpty && rekeyed.isEmpty }
    }

    /// Where a stored message's file is.
    public struct StoredFile: Sendable, Hashable {
        public var folderID: Int64
        public var uid: Int64
        public var maildirFile: String
        public var size: Int64
    }

    public func passContent(passID: Int64) throws -> PassContent {
        try queue.read { db in
            func rows(_ filter: SQLExpression) throws -> [MessageRecord] {
                try MessageRecord.filter(filter).order(Column("folderID"), Column("uid")).fetchAll(db)
            }
            let totals = try Row.fetchOne(
                db, sql: "SELECT COUNT(*), COALESCE(SUM(size), 0) FROM message WHERE passID = ?", arguments: [passID])
            return PassContent(
                storedCount: totals?[0] ?? 0, storedBytes: totals?[1] ?? 0,
                flagUpdates: try rows(Column("flagsPassID") == passID && Column("passID") != passID),
                deletions: try rows(Column("gonePassID") == passID),
                rekeyed: try rows(Column("rekeyedPassID") == passID))
        }
    }

    /// The files of the messages a pass stored, by folder then UID.
    public func storedFiles(passID: Int64) throws -> [StoredFile] {
        try queue.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT folderID, uid, maildirFile, size FROM message WHERE passID = ? ORDER BY folderID, uid
                    """, arguments: [passID]
            ).map { StoredFile(folderID: $0[0], uid: $0[1], maildirFile: $0[2], size: $0[3]) }
        }
    }

    /// The messages a pass stored, by folder then UID, one row at a time. The sequence can be
    /// walked once, inside `body` only; the database is busy for others meanwhile, so `body`
    /// should only transform rows (into a manifest, say).
    public func withStoredMessages<T>(passID: Int64, _ body: (AnySequence<MessageRecord>) throws -> T) throws -> T {
        try queue.read { db in
            let cursor = try MessageRecord.filter(Column("passID") == passID).order(Column("folderID"), Column("uid"))
                .fetchCursor(db)
            var failure: Error?
            let rows = AnySequence {
                AnyIterator<MessageRecord> {
                    guard failure == nil else { return nil }
                    do { return try cursor.next() } catch { failure = error; return nil }
                }
            }
            let result = try body(rows)
            if let failure { throw failure }
            return result
        }
    }
}

extension StateDatabase {
    /// Drops rows whose files vanished, so the next fetch stores them again.
    public func forget(messageIDs ids: [Int64]) throws {
        guard !ids.isEmpty else { return }
        try queue.write { db in
            for id in ids { try db.execute(sql: "DELETE FROM message WHERE id = ?", arguments: [id]) }
        }
    }
}

extension StateDatabase {
    /// Rows of a folder across all generations.
    public func messageCount(folderID: Int64) throws -> Int {
        try queue.read { db in try MessageRecord.filter(Column("folderID") == folderID).fetchCount(db) }
    }
}

extension StateDatabase {
    /// The row of a message by its source identity, if stored.
    public func message(folderID: Int64, uidValidity: Int64, uid: Int64) throws -> MessageRecord? {
        try queue.read { db in
            try MessageRecord.filter(
                Column("folderID") == folderID && Column("uidValidity") == uidValidity && Column("uid") == uid
            ).fetchOne(db)
        }
    }
}
