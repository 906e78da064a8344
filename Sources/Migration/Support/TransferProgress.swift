import Foundation

/// Counters shared by the folder workers of a pull or push, read by the progress printer.
public final class TransferProgress: @unchecked Sendable {
    public struct Snapshot: Sendable {
        public var foldersDone: Int
        public var foldersTotal: Int
        public var messagesPlanned: Int
        public var messagesDone: Int
        public var bytesDone: Int64
        public var flagsChanged: Int
        /// Messages whose transfer is on record (a pull's group commit, a push's recorded APPEND).
        public var messagesRecorded = 0
        public var elapsed: TimeInterval

        public var messagesPerSecond: Double { elapsed > 0 ? Double(messagesDone) / elapsed : 0 }
        /// Grows whenever anything moves: what a retry budget compares to tell a bad link that
        /// still makes progress from a dead one.
        /// Only what is recorded counts: bytes received and then lost with the link are not progress.
        public var progressMark: Int64 { Int64(messagesRecorded + flagsChanged) }
        public var bytesPerSecond: Double { elapsed > 0 ? Double(bytesDone) / elapsed : 0 }
        /// Seconds left at the current message rate, when it can be told.
        public var eta: TimeInterval? {
            guard messagesPerSecond > 0, messagesPlanned >= messagesDone else { return nil }
            return Double(messagesPlanned - messagesDone) / messagesPerSecond
        }
    }

    private let lock = NSLock()
    private let start = Date()
    private var state = Snapshot(
        foldersDone: 0, foldersTotal: 0, messagesPlanned: 0, messagesDone: 0, bytesDone: 0, flagsChanged: 0, elapsed: 0)

    public init() {}

    public var snapshot: Snapshot {
        lock.lock(); defer { lock.unlock() }
        var copy = state
        copy.elapsed = Date().timeIntervalSince(start)
        return copy
    }

    func update(_ change: (inout Snapshot) -> Void) {
        lock.lock(); change(&state); lock.unlock()
    }
}
