import Foundation

/// Where batches and their jobs live: SQLite in the store here, PostgreSQL for workers on many
/// machines later. Nothing here names a database type.
public protocol BatchStore: Sendable {
    /// The batch called `name`, created, or refreshed from a new reading of its file: a row
    /// matched by source and target account keeps its job (and its progress) and is queued again
    /// for a differential pass; a new row is a new job. Credentials are replaced by the new ones.
    func upsertBatch(
        name: String, targetServer: String, rows: [(BatchRow, SealedCredentials)]
    ) async throws -> BatchRecord
    func batch(named name: String) async throws -> BatchRecord?
    func batches() async throws -> [BatchRecord]
    func jobs(batchID: Int64) async throws -> [BatchJob]
    func credentials(jobID: Int64) async throws -> SealedCredentials?
    /// Takes the first queued job whose source server is not in `busyHosts` (lowercased) and
    /// marks it `checking`, atomically: two runners never share one.
    func claimNextJob(batchID: Int64, skippingHosts busyHosts: Set<String>) async throws -> BatchJob?
    func save(_ job: BatchJob) async throws
    /// The running jobs' progress in one write (jobs absent from it keep theirs); `jobs` returns
    /// it with each job. A job's progress is dropped when `save` records it as ended.
    func saveProgress(_ progress: [Int64: BatchJobProgress]) async throws
    /// Asks running jobs (all of the batch, or those given) to pause or stop; queued ones are
    /// paused or stopped at once.
    func request(_ request: BatchRequest, batchID: Int64, jobIDs: [Int64]?) async throws
    /// Running jobs someone asked to pause or stop: what a runner polls (a few rows, not the batch).
    func pendingRequests(batchID: Int64) async throws -> [Int64: BatchRequest]
    /// Paused, stopped and failed jobs (all, or those given) are queued again.
    func requeue(batchID: Int64, jobIDs: [Int64]?) async throws
    /// The differential pass without the file: every job with its credentials kept is queued
    /// again and the batch counts one more run; returns how many were queued.
    func rerun(batchID: Int64) async throws -> Int
    /// Jobs left active by a runner that died go back to the queue; returns how many.
    func recoverInterrupted(batchID: Int64) async throws -> Int
    /// Wipes the batch's credentials; its jobs and history stay.
    func close(batchID: Int64) async throws
    /// Gives the batch a status-page token (128 random bits, hex; kept if it has one) and
    /// records where its report goes, for a batch started from the web form.
    func grantWebAccess(batchID: Int64, reportTo: String?) async throws -> BatchWebAccess
    /// The batch's status-page token, if it was started from the web.
    func webAccess(batchID: Int64) async throws -> BatchWebAccess?
    func batch(accessToken: String) async throws -> (BatchRecord, BatchWebAccess)?
    /// The administrator the web form gave for creating mailboxes (password sealed).
    func saveAdministrator(batchID: Int64, user: String?, sealedPassword: Data?) async throws
    func administrator(batchID: Int64) async throws -> (user: String?, sealedPassword: Data?)
}

public struct BatchWebAccess: Sendable, Equatable {
    public var token: String
    public var reportTo: String?

    public init(token: String, reportTo: String?) { self.token = token; self.reportTo = reportTo }
}
