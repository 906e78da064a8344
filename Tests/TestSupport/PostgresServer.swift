import Foundation

/// A private PostgreSQL cluster for a test: `initdb` into a temporary directory and `pg_ctl
/// start` on a free 127.0.0.1 port, as the unprivileged `postgres` user when the tests run as
/// root (initdb refuses root). Local TCP logins are trusted; `stop()` kills it and deletes all.
public final class PostgresServer: @unchecked Sendable {
    public let port: Int
    public let directory: String
    public let user = "mailferry"
    public let database = "postgres"
    private let binaries: String
    private let runAs: String?

    /// `postgres://mailferry@127.0.0.1:PORT/postgres`
    public var url: String { "postgres://\(user)@127.0.0.1:\(port)/\(database)" }

    public static func start() async throws -> PostgresServer {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { continuation.resume(with: Result { try PostgresServer() }) }
        }
    }

    private init() throws {
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        guard let version = versions.sorted(by: { (Int($0) ?? 0) < (Int($1) ?? 0) }).last else {
            throw PostgresServerFailed(
                step: "find", output: "no /usr/lib/postgresql/*/bin (apt-get install postgresql)")
        }
        binaries = "/usr/lib/postgresql/\(version)/bin"
        runAs = getuid() == 0 ? "postgres" : nil
        directory = try TemporaryDirectory.kept()
        if let runAs, let account = getpwnam(runAs) {
            chown(directory, account.pointee.pw_uid, account.pointee.pw_gid)
        }
        var lastError: Error?
        for _ in 0..<5 {
            let port = Int.random(in: 20_000...60_000)
            do {
                try Self.run(
                    binaries + "/initdb",
                    ["-D", "\(directory)/data", "-A", "trust", "-U", user, "--no-sync", "-E", "UTF8"], as: runAs,
                    step: "initdb", skipIfExists: "\(directory)/data/PG_VERSION")
                try Self.run(
                    binaries + "/pg_ctl",
                    [
                        "-D", "\(directory)/data", "-l", "\(directory)/server.log", "-w", "-t", "60", "-o",
                        "-p \(port) -k \(directory) -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200",
                        "start",
                    ], as: runAs, step: "pg_ctl start")
                self.port = port
                return
            } catch {
                lastError = error
                let log = (try? String(contentsOfFile: "\(directory)/server.log", encoding: .utf8)) ?? ""
                guard log.contains("Address already in use") else { break }
            }
        }
        try? FileManager.default.removeItem(atPath: directory)
        throw lastError ?? PostgresServerFailed(step: "start", output: "")
    }

    public var logContents: String { (try? String(contentsOfFile: "\(directory)/server.log", encoding: .utf8)) ?? "" }

    /// Immediate shutdown (no checkpoint: the cluster is thrown away), then the directory goes.
    public func stop() {
        try? Self.run(
            binaries + "/pg_ctl", ["-D", "\(directory)/data", "-m", "immediate", "stop"], as: runAs, step: "stop")
        try? FileManager.default.removeItem(atPath: directory)
    }

    private static func run(
        _ executable: String, _ arguments: [String], as user: String?, step: String, skipIfExists: String? = nil
    ) throws {
        if let skipIfExists, FileManager.default.fileExists(atPath: skipIfExists) { return }
        let command = user.map { ["/usr/sbin/runuser", "-u", $0, "--", executable] } ?? [executable]
        // Output to a file, not a pipe: the server pg_ctl starts inherits it and would hold a pipe
        // open forever. posix_spawn + waitpid: the child is reaped here, whatever else runs.
        let outputPath = NSTemporaryDirectory() + "pg-\(UUID().uuidString).out"
        defer { unlink(outputPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // The server lives on: it must not inherit the test process's sockets (a fake server's
        // close would never reach its client while postgres holds a copy), so every descriptor
        // of this process is marked close-on-exec first.
        for name in (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? [] {
            guard let fd = Int32(name), fd > 2 else { continue }
            let flags = fcntl(fd, F_GETFD)
            if flags >= 0 { _ = fcntl(fd, F_SETFD, flags | FD_CLOEXEC) }
        }
        let argv = (command + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, command[0], &actions, nil, argv, environ)
        guard spawned == 0 else {
            throw PostgresServerFailed(
                step: step, output: "cannot start \(command[0]): \(String(cString: strerror(spawned)))")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        guard status == 0 else { throw PostgresServerFailed(step: step, output: text) }
    }
}

public struct PostgresServerFailed: Error, CustomStringConvertible {
    public var step: String
    public var output: String
    public var description: String { "PostgreSQL \(step) failed: \(output.suffix(2000))" }
}
