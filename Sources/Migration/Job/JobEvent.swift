import Foundation

/// One thing that happened in a running job, in the order it happened. The terminal progress,
/// `--progress json`, the job log and (later) batches and the web page all read these.
/// `docs/events.md` describes the JSON form; `schemaVersion` changes when a field does.
public struct JobEvent: Sendable, Equatable {
    public static let schemaVersion = 1

    public var time: Date
    public var step: JobStep
    public var kind: Kind

    public init(time: Date = Date(), step: JobStep, kind: Kind) {
        self.time = time; self.step = step; self.kind = kind
    }

    public enum Kind: Sendable, Equatable {
        case stepStarted
        case stepFinished(outcome: JobOutcome)
        /// The folder is part of this step (pull: selectable at the source; push: mapped to `target`).
        case folderPlanned(folder: String, target: String?)
        case folderStarted(folder: String)
        /// `messages`/`bytes`: stored (pull) or appended (push) in this step; `unchanged`: not
        /// even selected, nothing had changed since the last run.
        case folderFinished(FolderTally)
        /// A group commit (pull) or APPEND batch (push) is durable.
        case messagesMoved(folder: String, messages: Int, bytes: Int64)
        case messageSkipped(folder: String, uid: Int64?, reason: String)
        case warning(folder: String?, message: String)
        /// A dropped link or timeout; the step tries again after `delay` seconds.
        case retry(folder: String?, error: String, delay: Double, attempt: Int, of: Int)
    }

    /// What one folder came to in a step.
    public struct FolderTally: Sendable, Equatable, Codable {
        public var folder: String
        public var messages: Int
        public var bytes: Int64
        public var flagUpdates: Int
        public var skipped: Int
        public var unchanged: Bool
        public var error: String?

        public init(
            folder: String, messages: Int = 0, bytes: Int64 = 0, flagUpdates: Int = 0, skipped: Int = 0,
            unchanged: Bool = false, error: String? = nil
        ) {
            self.folder = folder; self.messages = messages; self.bytes = bytes; self.flagUpdates = flagUpdates
            self.skipped = skipped; self.unchanged = unchanged; self.error = error
        }
    }
}
