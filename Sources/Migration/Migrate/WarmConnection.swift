import Foundation
import IMAPClient

/// A login opened ahead of need: the target connection a migrate opens while the pull logs in
/// and plans (the first push round takes it), or a pull's worker connections opened while it
/// lists and plans the folders. On a far link that is TCP, TLS, login and ID (about five round
/// trips) off the critical path.
final class WarmConnection: @unchecked Sendable {
    /// Older than this, a connection may have met the server's idle logout: a new one is opened.
    static let maximumAge: TimeInterval = 120

    private let lock = NSLock()
    private var opening: Task<IMAPClient, Error>?
    private var started = Date()

    init(_ open: @escaping @Sendable () async throws -> IMAPClient) {
        opening = Task { try await open() }
    }

    deinit {
        // Whatever nobody took is logged out, also when its owner ended by an error.
        if let opening { Task { try? await opening.value.logout() } }
    }

    /// Keeps a logged-in connection that is free now (the uploads while pulling are over) for
    /// the next round, when none is waiting: a delta's last round then skips TCP, TLS and login.
    /// False when one is already kept; the caller logs its own out.
    func offer(_ client: IMAPClient) -> Bool {
        lock.withLock {
            guard opening == nil else { return false }
            opening = Task { client }
            started = Date()
            return true
        }
    }

    /// The connection, once; nil when it failed or is stale (the caller connects the usual
    /// way and reports what goes wrong). A refused login is thrown: trying the same password
    /// again at once would only count twice against an account lockout.
    func take() async throws -> IMAPClient? {
        let (task, since): (Task<IMAPClient, Error>?, Date) = lock.withLock {
            defer { opening = nil }
            return (opening, started)
        }
        guard let task else { return nil }
        switch await task.result {
        case .success(let client):
            guard Date().timeIntervalSince(since) <= Self.maximumAge else {
                await client.logout()
                return nil
            }
            return client
        case .failure(let error):
            if let error = error as? IMAPError, case .authenticationFailed = error { throw error }
            return nil
        }
    }

    /// Logs out a connection nobody took (the pull failed first, or nothing needed pushing).
    func discard() async {
        if let client = try? await take() { await client.logout() }
    }
}
