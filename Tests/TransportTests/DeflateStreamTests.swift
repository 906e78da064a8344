import Foundation
import Testing
import Transport

/// COMPRESS=DEFLATE's framing below IMAP: raw DEFLATE, a sync flush after every write.
@Suite("transport: DEFLATE stream")
struct DeflateStreamTests {
    struct RawCase: Sendable, CustomTestStringConvertible {
        let name: String
        let wire: [[UInt8]]
        let plain: String
        var testDescription: String { name }
    }

    /// Bytes as Python's zlib makes them (compressobj(6, DEFLATED, -15), Z_SYNC_FLUSH after each
    /// chunk), i.e. what a server sends after `OK` to COMPRESS; the second chunk refers back
    /// into the first one's dictionary.
    static let rawCases = [
        RawCase(
            name: "one flushed response",
            wire: [[210, 82, 240, 247, 86, 72, 206, 207, 45, 40, 74, 45, 46, 78, 77, 225, 229, 2, 0, 0, 0, 255, 255]],
            plain: "* OK compressed\r\n"),
        RawCase(
            name: "two flushes sharing one dictionary",
            wire: [
                [210, 82, 240, 247, 86, 72, 206, 207, 45, 40, 74, 45, 46, 78, 77, 225, 229, 2, 0, 0, 0, 255, 255],
                [114, 52, 4, 137, 164, 228, 231, 165, 242, 114, 1, 0, 0, 0, 255, 255],
            ],
            plain: "* OK compressed\r\nA1 OK done\r\n"),
        RawCase(
            name: "a flush split byte by byte",
            wire: [210, 82, 240, 247, 86, 72, 206, 207, 45, 40, 74, 45, 46, 78, 77, 225, 229, 2, 0, 0, 0, 255, 255]
                .map { [$0] },
            plain: "* OK compressed\r\n"),
    ]

    @Test("what a server sends is decoded, however the bytes arrive", arguments: rawCases)
    func decodesServerBytes(_ raw: RawCase) throws {
        let (near, far) = try SocketPairStream.pair()
        let stream = try DeflateStream(over: near, host: "test")
        nonisolated(unsafe) let peer = far
        let expected = Array(raw.plain.utf8)
        let writer = Thread {
            for chunk in raw.wire { try? peer.write(chunk) }
            peer.close()
        }
        writer.start()
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 7)
        while received.count < expected.count {
            let count = try buffer.withUnsafeMutableBytes { try stream.read(into: $0) }
            guard count > 0 else { break }
            received += buffer[0..<count]
        }
        #expect(received == expected)
        #expect(try buffer.withUnsafeMutableBytes { try stream.read(into: $0) } == 0, "the peer's close is EOF")
    }

    @Test("bytes zlib has decoded are handed over before the link is read again (small reads, no flush marker yet)")
    func pendingOutputIsNotHeldBack() throws {
        // 2,531 × "a" as Python's zlib compresses it, without the sync flush's last four bytes
        // (00 00 FF FF): read 7 bytes at a time, the last 207 bytes are decoded but still inside
        // zlib once every byte of input is used up.
        let wire: [UInt8] = [236, 193, 1, 13, 0, 0, 0, 194, 160, 172, 239, 95, 194, 30, 14, 40, 0, 0, 206, 12]
        let (near, far) = try SocketPairStream.pair()
        try near.setReceiveTimeout(seconds: 3)
        let stream = try DeflateStream(over: near, host: "test")
        try far.write(wire)
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 7)
        while received.count < 2531 {
            let count = try buffer.withUnsafeMutableBytes { try stream.read(into: $0) }
            guard count > 0 else { break }
            received += buffer[0..<count]
        }
        #expect(received == [UInt8](repeating: UInt8(ascii: "a"), count: 2531))
        far.close()
    }

    @Test("both ends compressing: large and small writes arrive intact, text shrinks, random data does not grow much")
    func roundTrip() throws {
        let (near, far) = try SocketPairStream.pair()
        nonisolated(unsafe) let sender = try DeflateStream(over: near, host: "test")
        let receiver = try DeflateStream(over: far, host: "test")
        var random = SystemRandomNumberGenerator()
        let text = Array(
            String(repeating: "Subject: quarterly report\r\nSee the attached figures.\r\n", count: 20_000).utf8)
        let noise = (0..<1_000_000).map { _ in UInt8.random(in: 0...255, using: &random) }
        let chunks: [[UInt8]] = [[65], Array("A1 NOOP\r\n".utf8), text, noise, [], Array("A2 LOGOUT\r\n".utf8)]
        let expected = chunks.flatMap { $0 }
        let writer = Thread {
            for chunk in chunks { try? chunk.withUnsafeBytes { try sender.write($0) } }
            sender.close()
        }
        writer.start()
        var received: [UInt8] = []
        received.reserveCapacity(expected.count)
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = try buffer.withUnsafeMutableBytes { try receiver.read(into: $0) }
            if count == 0 { break }
            received += buffer[0..<count]
        }
        #expect(received.count == expected.count)
        #expect(received == expected)
        while !writer.isFinished { Thread.sleep(forTimeInterval: 0.01) }
        #expect(sender.plainBytesWritten == expected.count)
        #expect(receiver.plainBytesRead == expected.count)
        #expect(receiver.compressedBytesRead == sender.compressedBytesWritten)
        // 1.06 MB of text compresses to a few kilobytes; 1 MB of noise stays about 1 MB.
        #expect(sender.compressedBytesWritten < noise.count + text.count / 20)
        #expect(sender.compressedBytesWritten > noise.count)
    }

    @Test("bytes that are not DEFLATE are a broken link, named as a corrupt stream")
    func corruptInput() throws {
        let (near, far) = try SocketPairStream.pair()
        let stream = try DeflateStream(over: near, host: "mail.example.com")
        try far.write([UInt8](repeating: 0xFF, count: 64))
        var buffer = [UInt8](repeating: 0, count: 64)
        let error = #expect(throws: TransportError.self) {
            _ = try buffer.withUnsafeMutableBytes { try stream.read(into: $0) }
        }
        guard case .connectionClosed(let host, let detail)? = error else {
            Issue.record("got \(String(describing: error))"); return
        }
        #expect(host == "mail.example.com")
        #expect(detail.contains("corrupt"))
        far.close()
    }
}

/// One end of a socketpair as a byte stream: the peer side of a link, no network needed.
final class SocketPairStream: ByteStream, @unchecked Sendable {
    private var descriptor: Int32

    private init(_ descriptor: Int32) { self.descriptor = descriptor }

    deinit { close() }

    static func pair() throws -> (SocketPairStream, SocketPairStream) {
        var fds: [Int32] = [0, 0]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0 else {
            throw TransportError.connectFailed(host: "socketpair", port: 0, reason: String(cString: strerror(errno)))
        }
        return (SocketPairStream(fds[0]), SocketPairStream(fds[1]))
    }

    /// A read that waits longer fails (EAGAIN), so a test that would block forever fails instead.
    func setReceiveTimeout(seconds: Int) throws {
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        guard setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size)) == 0
        else { throw TransportError.connectionClosed(host: "socketpair", detail: String(cString: strerror(errno))) }
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let count = Glibc.read(descriptor, buffer.baseAddress, buffer.count)
        guard count >= 0 else {
            throw TransportError.connectionClosed(host: "socketpair", detail: String(cString: strerror(errno)))
        }
        return count
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let count = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            guard count > 0 else {
                throw TransportError.connectionClosed(host: "socketpair", detail: String(cString: strerror(errno)))
            }
            offset += count
        }
    }

    func close() {
        if descriptor >= 0 { Glibc.close(descriptor); descriptor = -1 }
    }

    var hasReadableInput: Bool {
        var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        return poll(&entry, 1, 0) > 0
    }
}
