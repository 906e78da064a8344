import Foundation

/// A real authoritative DNS server for tests: Debian's `nsd`, run in the foreground from a
/// temporary directory on 127.0.0.1 and a free port, serving the zones it is given. A zone
/// given as `broken` has a file NSD cannot load: NSD answers SERVFAIL for it.
public final class NSDServer: @unchecked Sendable {
    public let port: UInt16
    public let directory: TemporaryDirectory
    private let process: Process

    public var address: String { "127.0.0.1:\(port)" }

    /// `zones`: zone name → the zone file's records (an `$ORIGIN`, `$TTL` and SOA are added).
    public static func start(zones: [String: String], broken: [String] = []) async throws -> NSDServer {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try NSDServer(zones: zones, broken: broken) })
            }
        }
    }

    private init(zones: [String: String], broken: [String]) throws {
        let directory = try TemporaryDirectory(prefix: "nsd")
        self.directory = directory
        for (zone, records) in zones {
            try """
            $ORIGIN \(zone).
            $TTL 3600
            @ IN SOA ns.\(zone). hostmaster.\(zone). 1 3600 600 86400 300
            @ IN NS ns.\(zone).
            \(records)

            """.write(toFile: directory.file("\(zone).zone"), atomically: true, encoding: .utf8)
        }
        for zone in broken {
            try "this is not a zone file\n".write(
                toFile: directory.file("\(zone).zone"), atomically: true, encoding: .utf8)
        }
        var lastLog = ""
        for _ in 0..<5 {
            let port = UInt16.random(in: 20_000...60_000)
            let configuration = directory.file("nsd.conf")
            try
                ([
                    "server:", "  ip-address: 127.0.0.1", "  port: \(port)", "  username: \"\"", "  chroot: \"\"",
                    "  zonesdir: \"\(directory.path)\"", "  pidfile: \"\(directory.file("nsd.pid"))\"",
                    "  xfrdfile: \"\(directory.file("xfrd.state"))\"",
                    "  zonelistfile: \"\(directory.file("zone.list"))\"", "  logfile: \"\(directory.file("nsd.log"))\"",
                    "  database: \"\"", "  server-count: 1", "  do-ip6: no", "remote-control:", "  control-enable: no",
                ]
                + (Array(zones.keys) + broken).sorted().flatMap {
                    ["zone:", "  name: \($0)", "  zonefile: \"\($0).zone\""]
                }).joined(separator: "\n").write(toFile: configuration, atomically: true, encoding: .utf8)
            try? FileManager.default.removeItem(atPath: directory.file("nsd.log"))
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/sbin/nsd")
            process.arguments = ["-d", "-c", configuration]
            let errors = directory.file("nsd.stderr")
            FileManager.default.createFile(atPath: errors, contents: nil)
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle(forWritingAtPath: errors)
            try process.run()
            let deadline = Date().addingTimeInterval(30)
            while Date() < deadline && process.isRunning {
                lastLog = (try? String(contentsOfFile: directory.file("nsd.log"), encoding: .utf8)) ?? ""
                if lastLog.contains("nsd started") {
                    self.port = port
                    self.process = process
                    return
                }
                usleep(50_000)
            }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitForExit()
            // Another test may hold the port picked: try another one.
            lastLog += (try? String(contentsOfFile: errors, encoding: .utf8)) ?? ""
        }
        throw NSDStartFailed(log: lastLog)
    }

    public func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitForExit()
    }

    deinit { if process.isRunning { stop() } }
}

public struct NSDStartFailed: Error, CustomStringConvertible {
    public var log: String
    public var description: String { "nsd did not start: \(log)" }
}

/// A UDP port on 127.0.0.1 that takes DNS questions and never answers: a server that is up but
/// silent, which no real DNS server does on demand (hand-written on purpose, for the timeout).
public final class SilentUDPServer: @unchecked Sendable {
    public let port: UInt16
    private let socket: Int32

    public var address: String { "127.0.0.1:\(port)" }

    public init() throws {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        self.socket = socket
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        var bound = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &bound) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) }
        }
        port = UInt16(bigEndian: bound.sin_port)
    }

    deinit { close(socket) }
}
