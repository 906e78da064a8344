import Foundation
import GRDB

/// The queries and transactions a push needs.
extension StateDatabase {
    public func target(host: String, port: Int, user: String) throws -> TargetRecord {
        try queue.write { db in
            if let existing = try TargetRecord.filter(Column("host") == host && Column("user") == user).fetchOne(db) {
                return existing
            }
            try db.execute(
                sql: "INSERT INTO target (host, port, user) VALUES (?, ?, ?)", arguments: [host, port, user])
            return TargetRecord(id: db.lastInsertedRowID, host: host, port: port, user: user)
        }
    }

    public func targetFolder(targetID: Int64, sourceFolderID: Int64) throws -> TargetFolderRecord? {
        try queue.read { db in
            try TargetFolderRecord.filter(Column("targetID") == targetID && Column("sourceFolderID") == sourceFolderID)
                .fetchOne(db)
        }
    }

    public func saveTargetFolder(_ record: inout TargetFolderRecord) throws {
        try queue.write { db in try record.save(db) }
    }

    /// Uploads of one source folder's messages to a target, keyed by message row id.
    public func uploads(targetID: Int64, sourceFolderID: Int64) throws -> [Int64: UploadRecord] {
        try queue.read { db in
            let rows = try UploadRecord.fetchAll(
                db,
                sql: """
                    SELECT u.* FROM message m CROSS JOIN upload u ON u.messageRowID = m.id AND u.targetID = ?
                    WHERE m.folderID = ?
                    """, arguments: [targetID, sourceFolderID])
            return Dictionary(rows.map { ($0.messageRowID, $0) }, uniquingKeysWith: { a, _ in a })
        }
    }

    /// Records intent before the APPENDs: a crash after this point is resolved by looking on the target.
    public func markPending(_ records: [UploadRecord]) throws -> [UploadRecord] {
        try queue.write { db in
            try records.map { record in
                var record = record
                record.state = .pending
                record.updatedAt = Date()
                record.id = try record.upsertReturningID(db)
                return record
            }
        }
    }

    /// Records outcomes (uploaded with UID, skipped with reason, or back to not uploaded).
    public func saveUploads(_ records: [UploadRecord]) throws {
        guard !records.isEmpty else { return }
        try queue.write { db in
            for var record in records {
                record.updatedAt = Date()
                _ = try record.upsertReturningID(db)
            }
        }
    }

    /// Forgets uploads (their target folder was recreated, or the APPEND never happened).
    public func deleteUploads(ids: [Int64]) throws {
        guard !ids.isEmpty else { return }
        try queue.write { db in
            for id in ids { try db.execute(sql: "DELETE FROM upload WHERE id = ?", arguments: [id]) }
        }
    }

    /// Totals for reports: uploaded and skipped per target.
    public func uploadCounts(targetID: Int64) throws -> (uploaded: Int, skipped: Int, pending: Int) {
        try queue.read { db in
            let uploaded = try UploadRecord.filter(Column("targetID") == targetID && Column("state") == "uploaded")
                .fetchCount(db)
            let skipped = try UploadRecord.filter(Column("targetID") == targetID && Column("state") == "skipped")
                .fetchCount(db)
            let pending = try UploadRecord.filter(Column("targetID") == targetID && Column("state") == "pending")
                .fetchCount(db)
            return (uploaded, skipped, pending)
        }
    }

    /// Whether a folder has anything to push: a message never uploaded (or pending), flags
    /// changed since they were last set on the target, or (with propagation) a deletion.
    public func folderNeedsPush(targetID: Int64, folderID: Int64, propagateDeletes: Bool) throws -> Bool {
        try queue.read { db in
            try Bool.fetchOne(
                db,
                sql: """
                    SELECT EXISTS(
                        SELECT 1 FROM message m LEFT JOIN upload u ON u.messageRowID = m.id AND u.targetID = ?
                        WHERE m.folderID = ? AND (
                            (m.sourceState = 'present' AND (u.id IS NULL OR u.state = 'pending'))
                            OR (u.state = 'uploaded' AND (u.flagsPassID IS NULL OR m.flagsPassID > u.flagsPassID))
                            OR (? AND m.sourceState = 'gone' AND u.state = 'uploaded')))
                    """, arguments: [targetID, folderID, propagateDeletes]) ?? true
        }
    }

    public func targetFolders(targetID: Int64) throws -> [Int64: TargetFolderRecord] {
        try queue.read { db in
            Dictionary(
                try TargetFolderRecord.filter(Column("targetID") == targetID).fetchAll(db).map {
                    ($0.sourceFolderID, $0)
                },
                uniquingKeysWith: { a, _ in a })
        }
    }
}

/// Targeted reads for one folder's push: only the rows that need work, so a delta over a big
/// folder decodes a handful of rows, not the folder.
extension StateDatabase {
    /// Present messages never uploaded to the target, or left pending by a crash, with their upload row.
    public func pushCandidates(
        targetID: Int64, folderID: Int64
    ) throws -> [(message: MessageRecord, upload: UploadRecord?)] {
        try queue.read { db in
            let messages = try MessageRecord.fetchAll(
                db,
                sql: """
                    SELECT m.* FROM message m LEFT JOIN upload u ON u.messageRowID = m.id AND u.targetID = ?
                    WHERE m.folderID = ? AND m.sourceState = 'present' AND (u.id IS NULL OR u.state = 'pending')
                    ORDER BY m.uidValidity, m.uid
                    """, arguments: [targetID, folderID])
            let pending = try UploadRecord.fetchAll(
                db,
                sql: """
                    SELECT u.* FROM upload u JOIN message m ON m.id = u.messageRowID
                    WHERE u.targetID = ? AND m.folderID = ? AND u.state = 'pending'
                    """, arguments: [targetID, folderID])
            let byMessage = Dictionary(pending.map { ($0.messageRowID, $0) }, uniquingKeysWith: { a, _ in a })
            return messages.map { ($0, byMessage[$0.id!]) }
        }
    }

    /// Target UIDs already recorded for a folder's messages (they can't be another message's).
    public func uploadedTargetUIDs(targetID: Int64, folderID: Int64, uidValidity: Int64) throws -> Set<UInt32> {
        try queue.read { db in
            Set(
                try Int64.fetchAll(
                    db,
                    sql: """
                        SELECT u.targetUID FROM message m CROSS JOIN upload u ON u.messageRowID = m.id AND u.targetID = ?
                        WHERE m.folderID = ? AND u.state = 'uploaded' AND u.targetUIDValidity = ? AND u.targetUID IS NOT NULL
                        """, arguments: [targetID, folderID, uidValidity]
                ).map { UInt32(truncatingIfNeeded: $0) })
        }
    }

    /// Uploaded messages whose flags changed since they were last set on the target.
    public func flagSyncCandidates(
        targetID: Int64, folderID: Int64
    ) throws -> [(message: MessageRecord, upload: UploadRecord)] {
        try pairs(
            sql: "u.state = 'uploaded' AND (u.flagsPassID IS NULL OR m.flagsPassID > u.flagsPassID)",
            targetID: targetID, folderID: folderID)
    }

    /// Uploaded messages that were deleted at the source.
    public func goneUploads(targetID: Int64, folderID: Int64) throws -> [(message: MessageRecord, upload: UploadRecord)]
    {
        try pairs(sql: "u.state = 'uploaded' AND m.sourceState = 'gone'", targetID: targetID, folderID: folderID)
    }

    /// Queries over one folder's uploads start from the folder's messages (CROSS JOIN fixes the
    /// order): left to itself SQLite walks the target's every uploaded row by
    /// `uploadByTargetState` and then drops those of other folders, 15–20 ms a query on 27,000
    /// messages, on each of a migrate's folder visits.
    private func pairs(
        sql condition: String, targetID: Int64, folderID: Int64
    ) throws -> [(message: MessageRecord, upload: UploadRecord)] {
        try queue.read { db in
            let uploads = try UploadRecord.fetchAll(
                db,
                sql: """
                    SELECT u.* FROM message m CROSS JOIN upload u ON u.messageRowID = m.id AND u.targetID = ?
                    WHERE m.folderID = ? AND \(condition)
                    """, arguments: [targetID, folderID])
            guard !uploads.isEmpty else { return [] }
            let messages = try MessageRecord.fetchAll(
                db,
                sql: """
                    SELECT m.* FROM message m CROSS JOIN upload u ON u.messageRowID = m.id AND u.targetID = ?
                    WHERE m.folderID = ? AND \(condition)
                    """, arguments: [targetID, folderID])
            let byID = Dictionary(messages.map { ($0.id!, $0) }, uniquingKeysWith: { a, _ in a })
            return uploads.compactMap { upload in byID[upload.messageRowID].map { ($0, upload) } }
        }
    }

    /// Drops the recorded target UIDs of a folder's messages (the target folder was recreated).
    public func forgetUploads(targetID: Int64, folderID: Int64) throws {
        try queue.write { db in
            try db.execute(
                sql: """
                    DELETE FROM upload WHERE targetID = ? AND state != 'skipped'
                    AND messageRowID IN (SELECT id FROM message WHERE folderID = ?)
                    """, arguments: [targetID, folderID])
        }
    }

    public func uploadedCount(targetID: Int64, folderID: Int64, uidValidity: Int64) throws -> Int {
        try queue.read { db in
            try Int.fetchOne(
                db,
                sql: """
                    SELECT COUNT(*) FROM message m CROSS JOIN upload u ON u.messageRowID = m.id AND u.targetID = ?
                    WHERE m.folderID = ? AND u.state = 'uploaded' AND u.targetUIDValidity = ?
                    """, arguments: [targetID, folderID, uidValidity]) ?? 0
        }
    }
}

extension UploadRecord {
    /// One prepared statement for every upload row of a push (two per message): GRDB's generic
    /// `upsert` builds its SQL again for each call, which cost ~6 % of a migrate's CPU.
    fileprivate func upsertReturningID(_ db: Database) throws -> Int64 {
        let statement = try db.cachedStatement(
            sql: """
                INSERT INTO upload (id, messageRowID, targetID, state, targetFolder, targetUIDValidity, targetUID,
                    flags, reason, updatedAt, flagsPassID)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT DO UPDATE SET messageRowID = excluded.messageRowID, targetID = excluded.targetID,
                    state = excluded.state, targetFolder = excluded.targetFolder,
                    targetUIDValidity = excluded.targetUIDValidity, targetUID = excluded.targetUID,
                    flags = excluded.flags, reason = excluded.reason, updatedAt = excluded.updatedAt,
                    flagsPassID = excluded.flagsPassID
                RETURNING id
                """)
        let arguments: StatementArguments = [
            id, messageRowID, targetID, state.rawValue, targetFolder, targetUIDValidity, targetUID,
            flags.databaseText, reason, updatedAt.databaseText, flagsPassID,
        ]
        guard let rowID = try Int64.fetchOne(statement, arguments: arguments) else {
            throw DatabaseError(message: "upload upsert returned no row")
        }
        return rowID
    }
}
