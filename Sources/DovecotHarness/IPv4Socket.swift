#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The few BSD-socket calls the harness and the benchmark's delay proxy need (port picking,
/// greeting probe, listening), IPv4 only.
public struct IPv4Socket {
    public let fd: Int32

    public init() throws {
        #if canImport(Glibc)
            // CLOEXEC so a server spawned by another thread meanwhile cannot inherit it.
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        #else
            let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw DovecotHarnessError.system("socket", errno: errno) }
        self.fd = fd
    }

    public func close() {
        #if canImport(Glibc)
            _ = Glibc.close(fd)
        #else
            _ = Darwin.close(fd)
        #endif
    }

    public func bind(host: String, port: Int) throws {
        var address = try Self.address(host: host, port: port)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                #if canImport(Glibc)
                    Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                #else
                    Darwin.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                #endif
            }
        }
        guard result == 0 else { throw DovecotHarnessError.system("bind \(host):\(port)", errno: errno) }
    }

    public func connect(host: String, port: Int) throws {
        var address = try Self.address(host: host, port: port)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                #if canImport(Glibc)
                    Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                #else
                    Darwin.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                #endif
            }
        }
        guard result == 0 else { throw DovecotHarnessError.system("connect \(host):\(port)", errno: errno) }
    }

    public func listen(backlog: Int32 = 128) throws {
        #if canImport(Glibc)
            let result = Glibc.listen(fd, backlog)
        #else
            let result = Darwin.listen(fd, backlog)
        #endif
        guard result == 0 else { throw DovecotHarnessError.system("listen", errno: errno) }
    }

    public func localPort() throws -> Int {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let result = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard result == 0 else { throw DovecotHarnessError.system("getsockname", errno: errno) }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Bounds every later send/recv, so a silent peer cannot hang the caller.
    func setTimeout(seconds: Double) {
        var value = timeval(tv_sec: Int(seconds), tv_usec: .init((seconds - Double(Int(seconds))) * 1_000_000))
        let size = socklen_t(MemoryLayout<timeval>.size)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &value, size)
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &value, size)
    }

    func send(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        var sent = 0
        while sent < bytes.count {
            let result = bytes[sent...].withUnsafeBytes {
                #if canImport(Glibc)
                    Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
                #else
                    Darwin.send(fd, $0.baseAddress, $0.count, 0)
                #endif
            }
            if result <= 0 { return false }
            sent += result
        }
        return true
    }

    /// Returns nil on EOF, error or timeout.
    func receive(maxBytes: Int = 4096) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: maxBytes)
        let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, maxBytes, 0) }
        return count > 0 ? Array(buffer[..<count]) : nil
    }

    static func address(host: String, port: Int) throws -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else {
            throw DovecotHarnessError.invalidConfiguration("\(host) is not an IPv4 address")
        }
        return address
    }
}
