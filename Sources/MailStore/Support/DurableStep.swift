import Foundation
import GRDB

/// Every durable step of a run (a database commit, a rename into place, a file written
/// atomically, an archive sealed) passes here, for the crash-at-every-step test:
/// `MAILFERRY_STEP_LOG=<file>` appends one line per step ("<n> <kind> <detail>"), and
/// `MAILFERRY_CRASH_AT_STEP=<n>` kills the process with SIGKILL right after step n, as a power
/// cut would. Unset (always, outside tests) a step costs one branch.
public enum DurableStep {
    public enum Kind: String, Sendable {
        case commit = "db-commit"
        case rename
        case file
        case archive
    }

    private static let crashAt: Int? = ProcessInfo.processInfo.environment["MAILFERRY_CRASH_AT_STEP"].flatMap(Int.init)
    private static let logDescriptor: Int32? = ProcessInfo.processInfo.environment["MAILFERRY_STEP_LOG"].map {
        open($0, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
    }
    public static let isCounting = crashAt != nil || logDescriptor != nil
    private static let counter = Counter()

    /// Marks a step as done: logged, and the process dies here when it is the chosen one.
    public static func reached(_ kind: Kind, _ detail: @autoclosure () -> String = "") {
        guard isCounting else { return }
        let number = counter.next()
        if let logDescriptor, logDescriptor >= 0 {
            let line = Array("\(number) \(kind.rawValue) \(detail())\n".utf8)
            _ = line.withUnsafeBytes { write(logDescriptor, $0.baseAddress, $0.count) }
        }
        if number == crashAt { kill(getpid(), SIGKILL) }
    }

    private final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var value = 0
        func next() -> Int {
            lock.withLock {
                value += 1; return value
            }
        }
    }
}

/// Reports each committed transaction of a database as a durable step.
public final class CommitStepObserver: TransactionObserver, @unchecked Sendable {
    private let name: String
    public init(name: String) { self.name = name }
    public func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool { true }
    public func databaseDidChange(with event: DatabaseEvent) {}
    public func databaseDidCommit(_ db: Database) { DurableStep.reached(.commit, name) }
    public func databaseDidRollback(_ db: Database) {}
}
