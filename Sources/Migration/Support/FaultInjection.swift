import Foundation

/// Crash points for the resume tests: `MAILFERRY_FAULT=<point>:<n>` makes the process kill
/// itself with SIGKILL the n-th time it reaches `point`, exactly as a power cut or `kill -9`
/// would. Unset (always, outside tests) it costs one dictionary lookup at start-up.
public enum FaultInjection {
    /// Where a run can be cut: after a batch is committed, in the middle of a message body,
    /// or in the middle of writing the archive.
    public enum Point: String, Sendable {
        case afterCommit = "after-commit"
        case midMessage = "mid-message"
        case whileSealing = "while-sealing"
        case afterAppend = "after-append"
        case midLiteral = "mid-literal"
    }

    private static let configured: (Point, Int)? = {
        guard let value = ProcessInfo.processInfo.environment["MAILFERRY_FAULT"] else { return nil }
        let parts = value.split(separator: ":")
        guard parts.count == 2, let point = Point(rawValue: String(parts[0])), let count = Int(parts[1]) else { return nil }
        return (point, count)
    }()

    private static let counter = Counter()

    public static var isArmed: Bool { configured != nil }

    /// Counts a visit to `point` and dies on the configured one.
    public static func reach(_ point: Point) {
        guard let (target, count) = configured, target == point else { return }
        if counter.increment() == count {
            kill(getpid(), SIGKILL)
        }
    }

    private final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var value = 0
        func increment() -> Int { lock.lock(); defer { lock.unlock() }; value += 1; return value }
    }
}
