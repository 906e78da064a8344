import Foundation

/// Asks a running step to stop at its next commit boundary: a pull commits the messages it has
/// and ends, a push ends before its next APPEND batch. Connections still blocked in a read when
/// the grace period is over are interrupted (their sockets shut down), so a stalled server
/// cannot hold a stop up. Children stop with their parent, and can be stopped on their own.
public final class StopToken: @unchecked Sendable {
    public let grace: TimeInterval
    private let lock = NSLock()
    private var requested = false
    private var nextKey = 0
    private var observers: [Int: @Sendable () -> Void] = [:]
    private var interrupters: [Int: @Sendable () -> Void] = [:]

    public init(grace: TimeInterval = 1.5) { self.grace = grace }

    public var isStopRequested: Bool { locked { requested } }

    /// Idempotent. Observers (children) learn at once; interrupters run after the grace period.
    public func requestStop() {
        let (first, notify): (Bool, [@Sendable () -> Void]) = locked {
            defer { requested = true }
            return (!requested, Array(observers.values))
        }
        guard first else { return }
        for observer in notify { observer() }
        DispatchQueue.global().asyncAfter(deadline: .now() + grace) { [self] in
            for interrupt in locked({ Array(interrupters.values) }) { interrupt() }
        }
    }

    /// A token that stops when this one does, and can also be stopped alone (`migrate` stops
    /// its pull when the push fails).
    public func child() -> StopToken {
        let child = StopToken(grace: grace)
        let key = observe { [weak child] in child?.requestStop() }
        child.onRelease = { [weak self] in self?.remove(key) }
        return child
    }

    private var onRelease: (@Sendable () -> Void)?
    deinit { onRelease?() }

    /// Throws `JobStopped` once a stop was requested.
    public func check() throws {
        if isStopRequested { throw JobStopped() }
    }

    /// Sleeps, waking early (with `JobStopped`) when a stop is requested.
    public func sleep(seconds: Double) async throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            try check()
            try await Task.sleep(for: .milliseconds(min(100, max(1, Int(deadline.timeIntervalSinceNow * 1000)))))
        }
        try check()
    }

    /// `interrupt` runs once the grace period after a stop is over, unless removed before.
    /// Registered after the grace period, it runs at once.
    func whenOverdue(_ interrupt: @escaping @Sendable () -> Void) -> Registration {
        let (key, late): (Int, Bool) = locked {
            nextKey += 1
            interrupters[nextKey] = interrupt
            return (nextKey, requested)
        }
        if late {
            DispatchQueue.global().asyncAfter(deadline: .now() + grace) { [self] in
                if locked({ interrupters[key] != nil }) { interrupt() }
            }
        }
        return Registration { [weak self] in self?.removeInterrupter(key) }
    }

    private func observe(_ observer: @escaping @Sendable () -> Void) -> Int {
        let (key, already): (Int, Bool) = locked {
            nextKey += 1
            observers[nextKey] = observer
            return (nextKey, requested)
        }
        if already { observer() }
        return key
    }

    private func remove(_ key: Int) { locked { _ = observers.removeValue(forKey: key) } }

    private func removeInterrupter(_ key: Int) { locked { _ = interrupters.removeValue(forKey: key) } }

    private func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock(); defer { lock.unlock() }
        return try body()
    }

    /// Ends an interrupter's registration.
    struct Registration: Sendable {
        let cancel: @Sendable () -> Void
    }
}
