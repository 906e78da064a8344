import IMAPClient

/// What a push needs: the target, the job, and how folders map.
public struct PushOptions: Sendable {
    public var target: IMAPClientConfiguration
    public var storeRoot: String
    public var job: String
    public var connections: Int
    public var rules: [FolderMapping.Rule]
    public var exclude: [String]
    /// Messages deleted at the source are deleted on the target too (off by default).
    public var propagateDeletes: Bool
    /// APPENDs recorded per transaction; all are pipelined.
    public var batchSize: Int
    /// Namespace prefixes that override what the store recorded (source) or what the target's
    /// NAMESPACE says (target), for servers that announce none.
    public var sourcePrefix: String?
    public var targetPrefix: String?
    /// Retries of a dropped link without progress, and their back-off.
    public var retry: RetryPolicy

    public init(
        target: IMAPClientConfiguration, storeRoot: String, job: String, connections: Int = 4,
        rules: [FolderMapping.Rule] = [], exclude: [String] = [], propagateDeletes: Bool = false, batchSize: Int = 250,
        sourcePrefix: String? = nil, targetPrefix: String? = nil, retry: RetryPolicy = .standard
    ) {
        self.retry = retry
        self.sourcePrefix = sourcePrefix; self.targetPrefix = targetPrefix
        self.target = target; self.storeRoot = storeRoot; self.job = job; self.connections = max(1, connections)
        self.rules = rules; self.exclude = exclude; self.propagateDeletes = propagateDeletes;
        self.batchSize = max(1, batchSize)
    }
}

/// The target refused more mail for the whole account; the job stops in a resumable state.
public struct TargetOverQuota: Error, CustomStringConvertible {
    public let host: String
    public let folder: String
    public let serverText: String
    public var description: String {
        "\(host): the target mailbox is over quota (while uploading to \"\(folder)\": \(serverText)); free space or raise the quota, then run push again — it resumes"
    }
}
