/// How often a dropped link is retried without progress in between, and the first back-off.
/// Each further attempt doubles the back-off (at most 30 s), with jitter; progress refills it.
public struct RetryPolicy: Sendable, Equatable {
    public var attempts: Int
    /// Seconds before the first retry.
    public var baseDelay: Double

    public init(attempts: Int = 5, baseDelay: Double = 1) {
        self.attempts = max(0, attempts); self.baseDelay = max(0, baseDelay)
    }

    public static let standard = RetryPolicy()
}
