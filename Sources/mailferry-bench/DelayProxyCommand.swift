import ArgumentParser
import DovecotHarness
import Foundation

/// The delay proxy of bench/delay-proxy.py with a fraction of its CPU: on a 2-core machine shared
/// with both servers, the Python proxy's own work (a quarter of a core at 130 MB/s) slowed the
/// runs it was meant to delay. Same interface: one listening port per target printed in order,
/// a delay each way, optionally a bandwidth cap shared by every connection to a target.
struct DelayProxyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delay-proxy",
        abstract: "TCP proxy on 127.0.0.1 adding DELAY_MS each way (a WAN-like round trip) to each target port.")

    @Option(help: "Cap each target's link at this many Mbit/s in each direction.") var rate: Double?
    @Argument(help: "Milliseconds added in each direction.") var delayMilliseconds: Double
    @Argument(help: "Target ports on 127.0.0.1.") var ports: [Int]

    func run() throws {
        signal(SIGPIPE, SIG_IGN)
        let delay = delayMilliseconds / 1000
        let bytesPerSecond = rate.map { $0 * 1e6 / 8 }
        var listeners: [Int32] = []
        var announcement = ""
        for _ in ports {
            let listener = try IPv4Socket()
            try listener.bind(host: "127.0.0.1", port: 0)
            try listener.listen()
            listeners.append(listener.fd)
            announcement += "\(try listener.localPort())\n"
        }
        // One write, unbuffered: the caller reads the ports as soon as they are there.
        try? FileHandle.standardOutput.write(contentsOf: Data(announcement.utf8))
        for (listener, target) in zip(listeners, ports) {
            let links = (
                up: DelayedLink(bytesPerSecond: bytesPerSecond), down: DelayedLink(bytesPerSecond: bytesPerSecond)
            )
            Thread.detachNewThread {
                while true {
                    let client = accept(listener, nil, nil)
                    guard client >= 0 else { continue }
                    guard let upstream = try? IPv4Socket() else {
                        close(client)
                        continue
                    }
                    do { try upstream.connect(host: "127.0.0.1", port: target) } catch {
                        upstream.close()
                        close(client)
                        continue
                    }
                    let server = upstream.fd
                    // A WAN link forwards each segment as it comes: Nagle on the proxy's own
                    // sockets would hold a small write back until the last one is acknowledged
                    // (up to a delayed ACK, 40 ms), a stall no real path adds.
                    var on: Int32 = 1
                    for socket in [client, server] {
                        setsockopt(socket, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
                    }
                    for (from, to, link) in [(client, server, links.up), (server, client, links.down)] {
                        DelayedPipe(from: from, to: to, delay: delay, link: link).start()
                    }
                }
            }
        }
        while true { sleep(3600) }
    }
}

/// One direction of one target's link: when it is free to carry the next bytes.
private final class DelayedLink: @unchecked Sendable {
    private let bytesPerSecond: Double?
    private let lock = NSLock()
    private var freeAt = 0.0

    init(bytesPerSecond: Double?) { self.bytesPerSecond = bytesPerSecond }

    /// When `count` bytes read now have crossed the link (before the delay).
    func transmitted(_ count: Int, now: Double) -> Double {
        guard let bytesPerSecond else { return now }
        return lock.withLock {
            freeAt = max(now, freeAt) + Double(count) / bytesPerSecond
            return freeAt
        }
    }
}

/// Reads on one thread, writes on another once each chunk's time has come. At most
/// `maximumQueued` bytes wait, so a slow side pushes back instead of filling memory.
private final class DelayedPipe: @unchecked Sendable {
    private let from: Int32
    private let to: Int32
    private let delay: Double
    private let link: DelayedLink
    private let condition = NSCondition()
    private var queue: [(due: Double, bytes: [UInt8])] = []
    private var queued = 0
    private var ended = false
    private let maximumQueued = 8 << 20

    init(from: Int32, to: Int32, delay: Double, link: DelayedLink) {
        self.from = from; self.to = to; self.delay = delay; self.link = link
    }

    func start() {
        Thread.detachNewThread { self.readLoop() }
        Thread.detachNewThread { self.writeLoop() }
    }

    private static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    private func readLoop() {
        var buffer = [UInt8](repeating: 0, count: 256 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(from, $0.baseAddress, $0.count) }
            condition.lock()
            if count <= 0 {
                ended = true
                condition.broadcast()
                condition.unlock()
                return
            }
            while queued > maximumQueued { condition.wait() }
            let due = link.transmitted(count, now: Self.now()) + delay
            queue.append((due, Array(buffer[0..<count])))
            queued += count
            condition.broadcast()
            condition.unlock()
        }
    }

    private func writeLoop() {
        while true {
            condition.lock()
            while queue.isEmpty && !ended { condition.wait() }
            if queue.isEmpty {
                condition.unlock()
                shutdown(to, Int32(SHUT_WR))
                return
            }
            let (due, bytes) = queue.removeFirst()
            queued -= bytes.count
            condition.broadcast()
            condition.unlock()
            let wait = due - Self.now()
            if wait > 0 { usleep(UInt32(wait * 1e6)) }
            var offset = 0
            while offset < bytes.count {
                let written = bytes.withUnsafeBytes { write(to, $0.baseAddress! + offset, $0.count - offset) }
                guard written > 0 else {
                    shutdown(from, Int32(SHUT_RD))
                    return
                }
                offset += written
            }
        }
    }
}
