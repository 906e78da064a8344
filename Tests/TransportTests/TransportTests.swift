import DovecotHarness
import Foundation
import Testing
import Transport

/// The transport knows no protocol: bytes over TCP or TLS, with its own typed errors.
@Suite("transport: TCP and TLS without a protocol")
struct TransportTests {
    @Test("nothing listening is connectionRefused, naming host and port")
    func refused() throws {
        #expect(throws: TransportError.connectionRefused(host: "127.0.0.1", port: 1)) {
            try TCPSocket.connect(host: "127.0.0.1", port: 1, timeouts: Timeouts(connect: 2, io: 2))
        }
    }

    @Test("a name that does not resolve is nameNotResolved")
    func unresolvable() throws {
        let error = #expect(throws: TransportError.self) {
            try TCPSocket.connect(host: "no-such-host.invalid", port: 993, timeouts: Timeouts(connect: 2, io: 2))
        }
        guard case .nameNotResolved(let host, _)? = error else {
            Issue.record("got \(String(describing: error))"); return
        }
        #expect(host == "no-such-host.invalid")
    }

    @Test("TLS to a real Dovecot: verified against its CA, the first bytes are the greeting; a wrong CA is rejected")
    func tlsToDovecot() throws {
        let server = try DovecotServer.start()
        defer { server.stop() }
        let socket = try TCPSocket.connect(
            host: server.host, port: server.imapsPort, timeouts: Timeouts(connect: 5, io: 5))
        let stream = try TLSStream(
            over: socket, host: server.host,
            context: TLSContext(TLSConfiguration(caFile: server.caFile), host: server.host))
        var buffer = [UInt8](repeating: 0, count: 256)
        let count = try buffer.withUnsafeMutableBytes { try stream.read(into: $0) }
        #expect(String(decoding: buffer[0..<count], as: UTF8.self).hasPrefix("* OK"))
        stream.close()

        let other = try DovecotServer.start()
        defer { other.stop() }
        let plain = try TCPSocket.connect(
            host: server.host, port: server.imapsPort, timeouts: Timeouts(connect: 5, io: 5))
        let error = #expect(throws: TransportError.self) {
            try TLSStream(
                over: plain, host: server.host,
                context: TLSContext(TLSConfiguration(caFile: other.caFile), host: server.host))
        }
        guard case .certificateRejected? = error else { Issue.record("got \(String(describing: error))"); return }
    }

    /// A hand-written listener on purpose: it accepts and never sends, so the read blocks.
    @Test("interrupt() from another thread ends a blocked read at once")
    func interruptBlockedRead() throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, length) }
        }
        listen(listener, 1)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        let port = Int(UInt16(bigEndian: address.sin_port))
        let socket = try TCPSocket.connect(host: "127.0.0.1", port: port, timeouts: Timeouts(connect: 2, io: 60))
        let link = InterruptibleLink()
        link.attach(socket)
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.2) { link.interrupt() }
        let begin = Date()
        var buffer = [UInt8](repeating: 0, count: 16)
        let count = try buffer.withUnsafeMutableBytes { try socket.read(into: $0) }
        #expect(count == 0, "the read ends as at EOF")
        #expect(Date().timeIntervalSince(begin) < 30, "not the 60 s read timeout")
    }
}
