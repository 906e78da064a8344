import Foundation

/// A database call that did not finish in time (the database unreachable, a lock held).
public struct DeadlineExceeded: Error, CustomStringConvertible, Sendable {
    public var operation: String
    public var seconds: Double
    public var description: String {
        "\(operation) did not finish within \(Int(seconds.rounded())) s (is the database reachable?)"
    }
}

/// Runs `body`, giving up after `limit`: a worker whose database went away must still drain on
/// SIGTERM and let its leases run out, not wait for a connection forever. The body runs in a
/// task of its own that is cancelled at the deadline but not waited for: a connection pool that
/// ignores cancellation (postgres-nio's lease, seen hanging with the database gone) cannot hold
/// the caller. `executor`: where both tasks run (nil: the cooperative pool).
func withDeadline<T: Sendable>(
    _ limit: Duration, _ operation: String, on executor: (any TaskExecutor)? = nil,
    _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    let outcome = FirstOutcome<T>()
    return try await withCheckedThrowingContinuation { continuation in
        outcome.attach(continuation)
        let work = Task(executorPreference: executor) { outcome.resolve(await Result(catching: body)) }
        Task(executorPreference: executor) {
            try? await Task.sleep(for: limit)
            work.cancel()
            outcome.resolve(.failure(DeadlineExceeded(operation: operation, seconds: limit.seconds)))
        }
    }
}

/// Resumes its continuation with whichever outcome comes first; later ones are dropped.
private final class FirstOutcome<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<T, Error>?

    func attach(_ continuation: CheckedContinuation<T, Error>) { lock.withLock { self.continuation = continuation } }

    func resolve(_ result: Result<T, Error>) {
        let waiting = lock.withLock {
            defer { continuation = nil }
            return continuation
        }
        waiting?.resume(with: result)
    }
}

extension Result where Failure == Error {
    fileprivate init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
