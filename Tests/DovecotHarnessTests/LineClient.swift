#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A deliberately tiny plain-text IMAP client on a POSIX socket, independent of the project's
/// own IMAP modules so harness tests cannot be broken by them.
final class LineClient {
    private let fd: Int32
    private var buffer: [UInt8] = []

    init(host: String, port: Int, timeoutSeconds: Int = 5) throws {
        #if canImport(Glibc)
            fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        #else
            fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw ClientError("socket failed") }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        inet_pton(AF_INET, host, &address.sin_addr)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            close(fd)
            throw ClientError("connect \(host):\(port) failed, errno \(errno)")
        }
    }

    deinit { close(fd) }

    func write(_ line: String) throws {
        let bytes = Array((line + "\r\n").utf8)
        #if os(Linux)
            let flags = Int32(MSG_NOSIGNAL)
        #else
            let flags: Int32 = 0
        #endif
        let sent = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, flags) }
        guard sent == bytes.count else { throw ClientError("send failed") }
    }

    func readLine() throws -> String {
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeSubrange(...newline)
                return line.hasSuffix("\r") ? String(line.dropLast()) : line
            }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { throw ClientError("connection closed or timed out") }
            buffer += chunk[..<count]
        }
    }

    /// Sends a tagged command and returns all lines up to and including its tagged reply.
    func command(_ tag: String, _ text: String) throws -> [String] {
        try write("\(tag) \(text)")
        var lines: [String] = []
        while true {
            let line = try readLine()
            lines.append(line)
            if line.hasPrefix("\(tag) ") { return lines }
        }
    }

    /// The greeting, skipping Dovecot's interim "Waiting for authentication process" line.
    func greeting() throws -> String {
        while true {
            let line = try readLine()
            if !line.contains("Waiting for authentication") { return line }
        }
    }
}

struct ClientError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
