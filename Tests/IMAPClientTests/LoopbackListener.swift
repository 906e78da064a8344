import Foundation

/// A bare TCP listener on 127.0.0.1 for the few tests that need a server misbehaving in ways no
/// real server does on demand (silence, a cut mid-literal). Everything else uses Dovecot.
final class LoopbackListener: @unchecked Sendable {
    let descriptor: Int32
    let port: Int

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.descriptor = descriptor
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
        }
        guard bound == 0, listen(descriptor, 16) == 0 else { throw POSIXError(.EADDRINUSE) }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        self.port = Int(UInt16(bigEndian: address.sin_port))
    }

    /// Accepts one client on a background thread and hands its socket to `script`.
    func serveOnce(_ script: @escaping @Sendable (Int32) -> Void) {
        let descriptor = self.descriptor
        Thread.detachNewThread {
            let client = accept(descriptor, nil, nil)
            guard client >= 0 else { return }
            script(client)
            Glibc.close(client)
        }
    }

    /// Greets, accepts any login, then hands the socket to `script` for the next command.
    func serveLoggedIn(_ script: @escaping @Sendable (Int32) -> Void) {
        serveOnce { socket in
            send("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] fake ready\r\n", to: socket)
            let login = readLine(from: socket)
            send(login.split(separator: " ")[0] + " OK [CAPABILITY IMAP4rev1] logged in\r\n", to: socket)
            script(socket)
        }
    }

    func close() { Glibc.close(descriptor) }
}

func send(_ text: String, to socket: Int32) {
    let bytes = Array(text.utf8)
    _ = bytes.withUnsafeBytes { Glibc.send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
}

/// Reads one line from the client (its next command).
func readLine(from socket: Int32) -> String {
    var line: [UInt8] = []
    var byte: UInt8 = 0
    while recv(socket, &byte, 1, 0) == 1 {
        line.append(byte)
        if byte == UInt8(ascii: "\n") { break }
    }
    return String(decoding: line, as: UTF8.self)
}
