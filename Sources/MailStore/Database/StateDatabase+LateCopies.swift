import Foundation
import GRDB

/// A re-sent message whose cut APPEND may still leave a second copy on the target.
public struct LateCopySweepRecord: Codable, FetchableRecord, PersistableRecord, UTCDateColumns, Sendable, Equatable {
    public static let databaseTableName = "lateCopySweep"
    public var targetID: Int64
    public var messageRowID: Int64
    public var folderID: Int64
    public var targetUIDValidity: Int64
    /// UIDNEXT of the SELECT before the first re-send: a copy below it was there to be adopted.
    public var fromUID: Int64
    /// When the message was last sent again; a late copy lands within a window after it.
    public var owedAt: Date

    public init(
        targetID: Int64, messageRowID: Int64, folderID: Int64, targetUIDValidity: Int64, fromUID: Int64,
        owedAt: Date
    ) {
        self.targetID = targetID; self.messageRowID = messageRowID; self.folderID = folderID
        self.targetUIDValidity = targetUIDValidity; self.fromUID = fromUID; self.owedAt = owedAt
    }
}

/// The sweeps owed per folder: written before a re-send, cleared only by a completed sweep.
extension StateDatabase {
    /// Records, in one transaction, that these messages are about to be sent again. A message
    /// already owed keeps its lowest UID bound and takes the latest time.
    public func oweLateCopySweeps(_ records: [LateCopySweepRecord]) throws {
        guard !records.isEmpty else { return }
        try queue.write { db in
            let statement = try db.cachedStatement(
                sql: """
                    INSERT INTO lateCopySweep (targetID, messageRowID, folderID, targetUIDValidity, fromUID, owedAt)
                    VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT DO UPDATE SET
                        fromUID = CASE WHEN targetUIDValidity = excluded.targetUIDValidity
                            THEN min(fromUID, excluded.fromUID) ELSE excluded.fromUID END,
                        targetUIDValidity = excluded.targetUIDValidity, folderID = excluded.folderID,
                        owedAt = max(owedAt, excluded.owedAt)
                    """)
            for record in records {
                try statement.execute(arguments: [
                    record.targetID, record.messageRowID, record.folderID, record.targetUIDValidity, record.fromUID,
                    record.owedAt,
                ])
            }
        }
    }

    /// The sweeps a folder owes on a target, each with its message and current upload row.
    public func owedLateCopySweeps(
        targetID: Int64, folderID: Int64
    ) throws -> [(owed: LateCopySweepRecord, message: MessageRecord, upload: UploadRecord?)] {
        try queue.read { db in
            let owed = try LateCopySweepRecord.filter(Column("targetID") == targetID && Column("folderID") == folderID)
                .fetchAll(db)
            guard !owed.isEmpty else { return [] }
            let messages = try MessageRecord.fetchAll(
                db,
                sql: """
                    SELECT m.* FROM message m JOIN lateCopySweep s ON s.messageRowID = m.id
                    WHERE s.targetID = ? AND s.folderID = ?
                    """, arguments: [targetID, folderID])
            let uploads = try UploadRecord.fetchAll(
                db,
                sql: """
                    SELECT u.* FROM upload u JOIN lateCopySweep s ON s.messageRowID = u.messageRowID
                    WHERE s.targetID = ? AND s.folderID = ? AND u.targetID = ?
                    """, arguments: [targetID, folderID, targetID])
            let messageByID = Dictionary(messages.map { ($0.id!, $0) }, uniquingKeysWith: { a, _ in a })
            let uploadByMessage = Dictionary(uploads.map { ($0.messageRowID, $0) }, uniquingKeysWith: { a, _ in a })
            return owed.compactMap { record in
                messageByID[record.messageRowID].map { (record, $0, uploadByMessage[record.messageRowID]) }
            }
        }
    }

    /// Whether a folder still owes a sweep on a target (then a no-op push still visits it).
    public func owesLateCopySweep(targetID: Int64, folderID: Int64) throws -> Bool {
        try queue.read { db in
            try LateCopySweepRecord.filter(Column("targetID") == targetID && Column("folderID") == folderID)
                .fetchCount(db) > 0
        }
    }

    /// Clears the sweeps of these messages: looked for and removed, or void.
    public func settleLateCopySweeps(targetID: Int64, messageRowIDs: [Int64]) throws {
        guard !messageRowIDs.isEmpty else { return }
        try queue.write { db in
            let statement = try db.cachedStatement(
                sql: "DELETE FROM lateCopySweep WHERE targetID = ? AND messageRowID = ?")
            for id in messageRowIDs { try statement.execute(arguments: [targetID, id]) }
        }
    }
}
