import Foundation

/// Servers still running when the process exits are stopped from an atexit hook, so one kept in
/// a `static let` (never deinitialised) does not outlive the test run.
final class LiveInstances: @unchecked Sendable {
    static let shared = LiveInstances()

    private final class WeakServer {
        weak var server: DovecotServer?
        init(_ server: DovecotServer) { self.server = server }
    }

    private let lock = NSLock()
    private var servers: [ObjectIdentifier: WeakServer] = [:]
    private var hookInstalled = false

    func add(_ server: DovecotServer) {
        lock.lock()
        defer { lock.unlock() }
        servers[ObjectIdentifier(server)] = WeakServer(server)
        if !hookInstalled {
            hookInstalled = true
            atexit { LiveInstances.shared.stopAll() }
        }
    }

    func remove(_ key: ObjectIdentifier) {
        lock.lock()
        defer { lock.unlock() }
        servers[key] = nil
    }

    private func stopAll() {
        lock.lock()
        let running = servers.values.compactMap(\.server)
        lock.unlock()
        running.forEach { $0.stop() }
    }
}
