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
/// SIGTERM and let its leases run out, not wait for a connection forever.
func withDeadline<T: Sendable>(
    _ limit: Duration, _ operation: String, _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: limit)
            throw DeadlineExceeded(operation: operation, seconds: limit.seconds)
        }
        defer { group.cancelAll() }
        return try await group.next()!
    }
}
