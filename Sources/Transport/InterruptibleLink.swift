import Foundation

/// The socket of a client's current connection, reachable from outside the client's thread so
/// a blocked read can be interrupted. Once interrupted, every later connection is too.
public final class InterruptibleLink: @unchecked Sendable {
    private let lock = NSLock()
    private weak var socket: TCPSocket?
    private var interrupted = false

    public init() {}

    public func attach(_ socket: TCPSocket) {
        lock.lock(); defer { lock.unlock() }
        self.socket = socket
        if interrupted { socket.interrupt() }
    }

    public func interrupt() {
        lock.lock(); defer { lock.unlock() }
        interrupted = true
        socket?.interrupt()
    }
}
