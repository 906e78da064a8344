import Foundation
import GRDB

/// The running jobs' progress rows (`jobProgress`), written by the runner every second.
extension SQLiteBatchStore {
    public func saveProgress(_ progress: [Int64: BatchJobProgress]) throws {
        guard !progress.isEmpty else { return }
        try queue.write { db in
            for (id, p) in progress {
                try db.execute(
                    sql: """
                        INSERT INTO jobProgress (jobID, messagesDone, messagesTotal, bytesDone, bytesPerSecond,
                            etaSeconds, updatedAt)
                        SELECT ?, ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM batchJob WHERE id = ? AND state IN
                            ('checking', 'provisioning', 'migrating', 'verifying'))
                        ON CONFLICT (jobID) DO UPDATE SET messagesDone = excluded.messagesDone,
                            messagesTotal = excluded.messagesTotal, bytesDone = excluded.bytesDone,
                            bytesPerSecond = excluded.bytesPerSecond, etaSeconds = excluded.etaSeconds,
                            updatedAt = excluded.updatedAt
                        """,
                    arguments: [
                        id, p.messagesDone, p.messagesTotal, p.bytesDone, p.bytesPerSecond, p.etaSeconds,
                        p.updatedAt.databaseText,
                        id,
                    ])
            }
        }
    }
}
