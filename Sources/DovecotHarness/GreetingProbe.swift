import Foundation

/// Readiness checks for both ports.
enum GreetingProbe {
    /// The plain port's greeting, or nil while it is not ready.
    ///
    /// Until its auth process is up, Dovecot first sends "* OK Waiting for authentication
    /// process to respond.." and the real greeting later; only the real one counts as ready.
    ///
    /// `marker` must appear in the greeting: if someone else grabbed the port between picking and
    /// binding, their server must not pass for ours.
    static func plainGreeting(host: String, port: Int, marker: String, timeout: TimeInterval = 1) -> String? {
        guard let socket = try? IPv4Socket() else { return nil }
        defer { socket.close() }
        socket.setTimeout(seconds: timeout)
        guard (try? socket.connect(host: host, port: port)) != nil else { return nil }
        var buffer: [UInt8] = []
        while let chunk = socket.receive() {
            buffer += chunk
            while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                    .trimmingCharacters(in: .whitespacesAndNewlines)
                buffer.removeSubrange(...newline)
                if line.hasPrefix("* OK") && !line.contains("Waiting for authentication") {
                    _ = socket.send("p LOGOUT\r\n")
                    return line.contains(marker) ? line : nil
                }
                if !line.hasPrefix("* OK") { return nil }
            }
        }
        return nil
    }

    /// The implicit-TLS port's greeting via `openssl s_client`, which also proves the
    /// certificate verifies against the CA for the listen address.
    static func tlsGreeting(
        host: String, port: Int, marker: String, caFile: String, verify: Bool = true, scratchDirectory: String,
        timeout: TimeInterval
    ) throws -> String {
        let script = "\(scratchDirectory)/probe-\(port).in"
        try "p LOGOUT\r\n".write(toFile: script, atomically: true, encoding: .utf8)
        defer { unlink(script) }
        // -ign_eof: keep reading after our one command until the server closes after LOGOUT.
        let command =
            ["openssl", "s_client", "-connect", "\(host):\(port)", "-CAfile", caFile]
            + (verify ? ["-verify_return_error", "-verify_ip", host] : []) + ["-quiet", "-ign_eof"]
        let output = try CommandRunner.run(
            command, stdinPath: script, scratchDirectory: scratchDirectory,
            timeout: max(timeout, 1))
        let greeting = output.stdout.split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .first { $0.hasPrefix("* OK") && !$0.contains("Waiting for authentication") && $0.contains(marker) }
        guard output.status == 0, let greeting else {
            throw DovecotHarnessError.commandFailed(
                command: command, exitStatus: output.status,
                stderr: output.stderr, stdout: output.stdout)
        }
        return greeting
    }
}
