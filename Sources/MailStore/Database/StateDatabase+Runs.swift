import Foundation
import GRDB

extension StateDatabase {
    /// Opens a run; issues recorded from now on hang on it. A run another process left
    /// "running" (it was killed: the job lock is ours now) is marked interrupted first.
    public func beginRun(kind: String) throws -> Int64 {
        let id: Int64 = try queue.write { db in
            // When it died is not known: finishedAt stays NULL.
            try db.execute(
                sql: "UPDATE run SET outcome = ? WHERE outcome = ?",
                arguments: [RunRecord.interrupted, RunRecord.running])
            var run = RunRecord(kind: kind)
            try run.insert(db)
            return run.id!
        }
        currentRun.id = id
        return id
    }

    public func finishRun(_ id: Int64, _ ending: RunEnding) throws {
        try queue.write { db in
            guard var run = try RunRecord.fetchOne(db, key: id) else { return }
            run.finishedAt = Date()
            run.outcome = ending.outcome
            run.failureKind = ending.failureKind
            run.message = ending.message
            run.stored = ending.stored; run.storedBytes = ending.storedBytes
            run.uploaded = ending.uploaded; run.uploadedBytes = ending.uploadedBytes
            run.skipped = ending.skipped; run.flagUpdates = ending.flagUpdates
            run.passID = ending.passID
            try run.update(db)
        }
        if currentRun.id == id { currentRun.id = nil }
    }

    /// Every run, oldest first.
    public func runs() throws -> [RunRecord] {
        try queue.read { db in try RunRecord.order(Column("id")).fetchAll(db) }
    }

    public func issues(runID: Int64) throws -> [PassIssueRecord] {
        try queue.read { db in try PassIssueRecord.filter(Column("runID") == runID).order(Column("id")).fetchAll(db) }
    }
}
