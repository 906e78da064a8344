import IMAPClient

/// A link that kept failing with no mail moved in between until the retry budget ran out: the
/// last error, and what was retried for how long. Graded as its last error (exit 3 for a lost
/// link); the job resumes when run again.
public struct RetriesExhausted: Error, CustomStringConvertible, Sendable {
    /// The folder, or the step ("source login", "planning the target's folders"), retried.
    public let step: String
    public let attempts: Int
    public let seconds: Double
    public let underlying: IMAPError

    public var description: String {
        "\(underlying) (\(step): gave up after \(attempts) retries over \(Int(seconds.rounded())) s with no message moved; run again to resume)"
    }
}
