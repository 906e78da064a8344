import Foundation

/// Servers this process has logged in to. "Connection refused" on the very first try is a
/// wrong host or port far more often than a restart, so it fails at once; once a server has
/// answered (in this job or an earlier step), a refusal is that server restarting, and retried.
final class ReachedEndpoints: @unchecked Sendable {
    static let shared = ReachedEndpoints()
    private let lock = NSLock()
    private var reached: Set<String> = []

    func insert(host: String, port: Int) { _ = lock.withLock { reached.insert("\(host.lowercased()):\(port)") } }
    func contains(host: String, port: Int) -> Bool {
        lock.withLock { reached.contains("\(host.lowercased()):\(port)") }
    }
}
