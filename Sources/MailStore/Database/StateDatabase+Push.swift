import Foundation
import GRDB

/// The queries and transactions a push needs.
extension StateDatabase {
    public func target(host: String, port: Int, user: String) throws -> TargetRecord {
        try queue.write { db in
            if let existing = try TargetRecord.filter(Column("host") == host && Column("user") == user).fetchOne(db) { return existing }
            var record = TargetRecord(host: host, port: port, user: user)
            try record.insert(db)
            return record
        }
    }

    public func targetFolder(targetID: Int64, sourceFolderID: Int64) throws -> TargetFolderRecord? {
        try queue.read { db in
            try TargetFolderRecord.filter(Column("targetID") == targetID && Column("sourceFolderID") == sourceFolderID).fetchOne(db)
        }
    }

    public func saveTargetFolder(_ record: inout TargetFolderRecord) throws {
        try queue.write { db in try record.save(db) }
    }

    /// Uploads of one source folder's messages to a target, keyed by message row id.
    public func uploads(targetID: Int64, sourceFolderID: Int64) throws -> [Int64: UploadRecord] {
        try queue.read { db in
            let rows = try UploadRecord.fetchAll(db, sql: """
                SELECT upload.* FROM upload JOIN message ON message.id = upload.messageRowID
                WHERE upload.targetID = ? AND message.folderID = ?
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
                try record.upsert(db)
                if record.id == nil {
                    record.id = try Int64.fetchOne(db, sql: "SELECT id FROM upload WHERE messageRowID = ? AND targetID = ?",
                                                   arguments: [record.messageRowID, record.targetID])
                }
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
                try record.upsert(db)
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
            let uploaded = try UploadRecord.filter(Column("targetID") == targetID && Column("state") == "uploaded").fetchCount(db)
            let skipped = try UploadRecord.filter(Column("targetID") == targetID && Column("state") == "skipped").fetchCount(db)
            let pending = try UploadRecord.filter(Column("targetID") == targetID && Column("state") == "pending").fetchCount(db)
            return (uploaded, skipped, pending)
        }
    }

    /// Whether a folder has anything to push: a message never uploaded (or pending), flags
    /// changed since they were last set on the target, or (with propagation) a deletion.
    public func folderNeedsPush(targetID: Int64, folderID: Int64, propagateDeletes: Bool) throws -> Bool {
        try queue.read { db in
            try Bool.fetchOne(db, sql: """
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
            Dictionary(try TargetFolderRecord.filter(Column("targetID") == targetID).fetchAll(db).map { ($0.sourceFolderID, $0) },
                       uniquingKeysWith: { a, _ in a })
        }
    }

    public func skippedUploads(targetID: Int64) throws -> [UploadRecord] {
        try queue.read { db in try UploadRecord.filter(Column("targetID") == targetID && Column("state") == "skipped").fetchAll(db) }
    }
}
