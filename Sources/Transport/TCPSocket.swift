import Foundation

/// A connected TCP socket with connect and I/O timeouts.
public final class TCPSocket: ByteStream {
    public let descriptor: Int32
    public let host: String
    /// Longest silence a read or write may wait through (SO_RCVTIMEO/SO_SNDTIMEO).
    public private(set) var ioTimeout: Double = 120
    private var isClosed = false
    /// close() and interrupt() come from different threads; the lock keeps a shutdown from
    /// reaching a descriptor number that was closed and reused.
    private let closeLock = NSLock()

    private init(descriptor: Int32, host: String) {
        self.descriptor = descriptor; self.host = host
    }

    deinit { close() }

    /// Resolves `host` and connects to the first address that answers.
    public static func connect(host: String, port: Int, timeouts: Timeouts) throws -> TCPSocket {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            throw TransportError.nameNotResolved(host: host, reason: String(cString: gai_strerror(status)))
        }
        defer { freeaddrinfo(list) }
        var lastError: TransportError = .connectFailed(host: host, port: port, reason: "no address")
        var candidate: UnsafeMutablePointer<addrinfo>? = first
        while let address = candidate {
            do {
                let descriptor = try connect(address.pointee, host: host, port: port, timeout: timeouts.connect)
                let socket = TCPSocket(descriptor: descriptor, host: host)
                try socket.configure(ioTimeout: timeouts.io)
                return socket
            } catch let error as TransportError {
                lastError = error
            }
            candidate = address.pointee.ai_next
        }
        throw lastError
    }

    private static func connect(_ address: addrinfo, host: String, port: Int, timeout: Double) throws -> Int32 {
        let descriptor = socket(address.ai_family, address.ai_socktype, address.ai_protocol)
        guard descriptor >= 0 else { throw TransportError.connectFailed(host: host, port: port, reason: errnoText()) }
        let flags = fcntl(descriptor, F_GETFL)
        _ = fcntl(descriptor, F_SETFL, flags | O_NONBLOCK)
        if Glibc.connect(descriptor, address.ai_addr, address.ai_addrlen) != 0 && errno != EINPROGRESS {
            let code = errno
            Glibc.close(descriptor)
            throw connectError(code, host: host, port: port)
        }
        var poller = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
        let ready = poll(&poller, 1, Int32(timeout * 1000))
        if ready == 0 {
            Glibc.close(descriptor)
            throw TransportError.timedOut(host: host, operation: "connect to port \(port)")
        }
        var socketError: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &socketError, &length)
        if ready < 0 || socketError != 0 {
            Glibc.close(descriptor)
            throw connectError(ready < 0 ? errno : socketError, host: host, port: port)
        }
        _ = fcntl(descriptor, F_SETFL, flags & ~O_NONBLOCK)
        return descriptor
    }

    private static func connectError(_ code: Int32, host: String, port: Int) -> TransportError {
        if code == ECONNREFUSED { return .connectionRefused(host: host, port: port) }
        if code == ETIMEDOUT { return .timedOut(host: host, operation: "connect to port \(port)") }
        return .connectFailed(host: host, port: port, reason: String(cString: strerror(code)))
    }

    private func configure(ioTimeout: Double) throws {
        self.ioTimeout = ioTimeout
        var interval = timeval(tv_sec: Int(ioTimeout), tv_usec: Int((ioTimeout - Double(Int(ioTimeout))) * 1_000_000))
        let size = socklen_t(MemoryLayout<timeval>.size)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &interval, size)
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &interval, size)
        var on: Int32 = 1
        setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
        setsockopt(descriptor, SOL_SOCKET, SO_KEEPALIVE, &on, socklen_t(MemoryLayout<Int32>.size))
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            let count = recv(descriptor, buffer.baseAddress, buffer.count, 0)
            if count >= 0 { return count }
            if errno == EINTR { continue }
            throw ioError(operation: "read")
        }
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let count = send(descriptor, bytes.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
            if count > 0 { offset += count; continue }
            if count < 0 && errno == EINTR { continue }
            throw ioError(operation: "write")
        }
    }

    func ioError(operation: String) -> TransportError {
        if errno == EAGAIN || errno == EWOULDBLOCK { return .timedOut(host: host, operation: operation) }
        return .connectionClosed(host: host, detail: "\(operation) failed: \(TCPSocket.errnoText())")
    }

    public func close() {
        closeLock.lock(); defer { closeLock.unlock() }
        guard !isClosed else { return }
        isClosed = true
        Glibc.close(descriptor)
    }

    /// From any thread: a read or write blocked on this socket fails at once, and so does any
    /// later one. The descriptor stays open until close().
    public func interrupt() {
        closeLock.lock(); defer { closeLock.unlock() }
        guard !isClosed else { return }
        _ = shutdown(descriptor, Int32(SHUT_RDWR))
    }

    static func errnoText() -> String { String(cString: strerror(errno)) }

    public var hasReadableInput: Bool {
        var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        return poll(&poller, 1, 0) > 0
    }

    /// Reads and writes return EAGAIN at once instead of blocking; the caller polls.
    func makeNonBlocking() {
        let flags = fcntl(descriptor, F_GETFL)
        _ = fcntl(descriptor, F_SETFL, flags | O_NONBLOCK)
    }

    /// Waits until the socket is readable (or writable) or `deadline` passes; EINTR is waited
    /// through. False when the deadline passed first.
    func wait(forWriting: Bool, until deadline: Date) -> Bool {
        while true {
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0 else { return false }
            var poller = pollfd(fd: descriptor, events: Int16(forWriting ? POLLOUT : POLLIN), revents: 0)
            let ready = poll(&poller, 1, Int32(min(remaining * 1000 + 1, Double(Int32.max))))
            if ready > 0 { return true }
            if ready == 0 { return false }
            if errno != EINTR { return true }  // let the next call report the socket's error
        }
    }
}
