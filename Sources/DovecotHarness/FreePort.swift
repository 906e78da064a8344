/// Ports the kernel considers free on an address right now.
///
/// Binding port 0 and closing leaves a window in which someone else may take the port before
/// Dovecot binds it; `DovecotServer.start` detects "Address already in use" and retries.
enum FreePort {
    static func pick(_ count: Int, on host: String) throws -> [Int] {
        // All sockets stay open until every port is read, so the ports are distinct.
        var sockets: [IPv4Socket] = []
        defer { sockets.forEach { $0.close() } }
        return try (0..<count).map { _ in
            let socket = try IPv4Socket()
            sockets.append(socket)
            try socket.bind(host: host, port: 0)
            return try socket.localPort()
        }
    }
}
