import IMAPClient
import MailArchive

/// What a pull needs: the source, the store, and how hard to push the server.
public struct PullOptions: Sendable {
    public var source: IMAPClientConfiguration
    public var storeRoot: String
    public var job: String
    /// Connections to the source; folders are pulled in parallel, one per connection.
    public var connections: Int
    public var compression: ArchiveCompression
    /// UIDs per UID FETCH command; several commands are in flight at once.
    public var fetchBatchSize: Int
    /// Messages per group commit (one filesystem sync and one transaction).
    public var commitEvery: Int
    /// Bytes per group commit. Until its group commits, a file's pages stay in the page cache
    /// and its upload cannot start: 8 MB per connection keeps both short (64 MB made a
    /// migrate's Maildir writes pay for fresh memory, `UploadBacklog`).
    public var commitBytes: Int
    /// The source's personal namespace prefix when the server announces none (or a wrong one);
    /// nil takes NAMESPACE's.
    public var sourcePrefix: String?
    /// In a migrate, how many committed bytes the pull may have ahead of the uploads.
    public var aheadOfUploadsLimit = UploadBacklog.migrateLimit
    /// Retries of a dropped link without progress, and their back-off.
    public var retry: RetryPolicy
    /// Seals every archive encrypted with this key or passphrase (nil: plain archives).
    public var archiveKey: ArchiveKey?

    public init(
        source: IMAPClientConfiguration, storeRoot: String, job: String, connections: Int = 4,
        compression: ArchiveCompression = .none, fetchBatchSize: Int = 100, commitEvery: Int = 500,
        commitBytes: Int = 8 * 1024 * 1024, sourcePrefix: String? = nil,
        retry: RetryPolicy = .standard
    ) {
        self.retry = retry
        self.sourcePrefix = sourcePrefix
        self.source = source; self.storeRoot = storeRoot; self.job = job; self.connections = max(1, connections)
        self.compression = compression; self.fetchBatchSize = fetchBatchSize
        self.commitEvery = commitEvery; self.commitBytes = commitBytes
    }
}
