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
        guard parts.count == 2, let point = Point(rawValue: String(parts[0])), let count = Int(parts[1]) else {
            return nil
        }
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

    /// `MAILFERRY_TEST_PACE_MS=<n>`: every commit (pull) and APPEND batch (push) takes n ms
    /// longer, so a test on a loaded machine can signal a run while it is surely mid-way.
    private static let paceMicroseconds: UInt32? = {
        ProcessInfo.processInfo.environment["MAILFERRY_TEST_PACE_MS"].flatMap(UInt32.init).map {
            min($0, 10_000) * 1000
        }
    }()

    /// Slows a pull's commit down when the test pace is set; nothing otherwise. It holds its
    /// thread, as a slow disk would: the commit runs on the cooperative pool.
    static func pace() {
        if let paceMicroseconds { usleep(paceMicroseconds) }
    }

    /// Slows an APPEND batch down as a slow server would: waiting, holding no thread.
    static func pace() async {
        if let paceMicroseconds { try? await Task.sleep(for: .microseconds(paceMicroseconds)) }
    }

    private final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var value = 0
        func increment() -> Int { lock.lock(); defer { lock.unlock() }; value += 1; return value }
    }
}
