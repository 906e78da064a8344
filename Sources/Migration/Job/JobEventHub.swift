import Foundation

/// Fans a job's events out to its subscribers, one event at a time: every subscriber sees the
/// same total order. Emitted from the folder workers' threads; subscribers must be quick.
public final class JobEventHub: @unchecked Sendable {
    public typealias Subscriber = @Sendable (JobEvent) -> Void
    private let lock = NSLock()
    private var subscribers: [Subscriber] = []

    public init() {}

    public func subscribe(_ subscriber: @escaping Subscriber) {
        lock.lock(); subscribers.append(subscriber); lock.unlock()
    }

    public func emit(_ step: JobStep, _ kind: JobEvent.Kind) {
        let event = JobEvent(step: step, kind: kind)
        lock.lock(); defer { lock.unlock() }
        for subscriber in subscribers { subscriber(event) }
    }
}
