import Foundation

/// One batch: a CSV's mailboxes moved to one target server.
public struct BatchRecord: Sendable, Equatable, Codable {
    public var id: Int64
    public var name: String
    public var targetServer: String
    public var createdAt: Date
    /// Set by `batch close`: its credentials are wiped.
    public var closedAt: Date?
    /// How many times the batch was run (1 = the first pass; more = differential passes).
    public var runs: Int
}

/// One mailbox of a batch and how far it got.
public struct BatchJob: Sendable, Equatable, Codable {
    public var id: Int64
    public var batchID: Int64
    public var line: Int
    public var sourceServer: String
    public var sourcePort: Int
    public var sourceTLS: Bool
    public var sourceUser: String
    public var targetUser: String
    public var createMailbox: Bool
    /// The job's name in the mailbox store (its Maildir, manifest, archives and run ledger).
    public var storeJob: String
    public var state: BatchJobState
    public var request: BatchRequest
    public var failureKind: String?
    public var lastError: String?
    public var messages: Int64
    public var bytes: Int64
    public var skipped: Int64
    public var flagUpdates: Int64
    public var startedAt: Date?
    public var finishedAt: Date?
    /// Completed passes (first, then differential).
    public var passes: Int
    /// While it runs: how far this pass is (not saved by `save`; the runner writes it apart).
    public var progress: BatchJobProgress? = nil
    /// The worker running it, or that ran it last (PostgreSQL batches only).
    public var worker: String? = nil

    public var row: BatchRow {
        BatchRow(
            line: line, sourceServer: sourceServer, sourceUser: sourceUser, sourcePassword: "", sourcePort: sourcePort,
            sourceTLS: sourceTLS, targetUser: targetUser, targetPassword: "", createMailbox: createMailbox)
    }
}

/// A job's sealed credentials (see `SecretBox`).
public struct SealedCredentials: Sendable, Equatable {
    public var source: Data
    public var target: Data
    public init(source: Data, target: Data) { self.source = source; self.target = target }
}
