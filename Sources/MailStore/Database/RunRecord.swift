import Foundation
import GRDB

/// One run of a step on a job: the run ledger that `mailferry history` lists.
public struct RunRecord: Codable, FetchableRecord, MutablePersistableRecord, UTCDateColumns, Sendable, Equatable {
    public static let databaseTableName = "run"
    public var id: Int64?
    public var kind: String
    public var startedAt: Date
    public var finishedAt: Date?
    /// "running" while it runs; then the job-state words (done, done with skips, different,
    /// stopped, failed). A run found "running" by a later one was cut off: "interrupted".
    public var outcome: String
    public var failureKind: String?
    public var message: String?
    public var stored: Int64 = 0
    public var storedBytes: Int64 = 0
    public var uploaded: Int64 = 0
    public var uploadedBytes: Int64 = 0
    public var skipped: Int64 = 0
    public var flagUpdates: Int64 = 0
    public var passID: Int64?

    public init(kind: String, startedAt: Date = Date(), outcome: String = RunRecord.running) {
        self.kind = kind; self.startedAt = startedAt; self.outcome = outcome
    }

    public static let running = "running"
    public static let interrupted = "interrupted"

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// How a run ended, as the ledger records it.
public struct RunEnding: Sendable {
    public var outcome: String
    public var failureKind: String?
    public var message: String?
    public var stored: Int64 = 0, storedBytes: Int64 = 0, uploaded: Int64 = 0, uploadedBytes: Int64 = 0
    public var skipped: Int64 = 0, flagUpdates: Int64 = 0
    public var passID: Int64?

    public init(outcome: String, failureKind: String? = nil, message: String? = nil) {
        self.outcome = outcome; self.failureKind = failureKind; self.message = message
    }
}

/// The open run's id, shared by the threads that record issues.
final class CurrentRun: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Int64?
    var id: Int64? {
        get { lock.lock(); defer { lock.unlock() }; return value }
        set { lock.lock(); value = newValue; lock.unlock() }
    }
}
