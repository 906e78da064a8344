import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Runs short-lived tools (doveadm, openssl) to completion.
enum CommandRunner {
    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func run(
        _ command: [String], stdinPath: String? = nil, scratchDirectory: String,
        timeout: TimeInterval = 60
    ) throws -> Output {
        let stem = "\(scratchDirectory)/cmd-\(UUID().uuidString.prefix(8))"
        let outPath = stem + ".out", errPath = stem + ".err"
        defer {
            unlink(outPath)
            unlink(errPath)
        }
        let child = try ChildProcess.spawn(command, stdinPath: stdinPath, outputPath: outPath, errorPath: errPath)
        guard let status = child.waitForExit(timeout: timeout) else {
            child.signal(SIGKILL)
            _ = child.waitForExit(timeout: 5)
            throw DovecotHarnessError.commandTimedOut(
                command: command, seconds: timeout,
                stderr: readText(errPath))
        }
        return Output(status: status, stdout: readText(outPath), stderr: readText(errPath))
    }

    /// Like `run`, but a non-zero exit status is an error carrying stderr.
    static func check(
        _ command: [String], stdinPath: String? = nil, scratchDirectory: String,
        timeout: TimeInterval = 60
    ) throws -> String {
        let output = try run(command, stdinPath: stdinPath, scratchDirectory: scratchDirectory, timeout: timeout)
        guard output.status == 0 else {
            throw DovecotHarnessError.commandFailed(
                command: command, exitStatus: output.status,
                stderr: output.stderr, stdout: output.stdout)
        }
        return output.stdout
    }
}

/// Reads a file as text, tolerating invalid UTF-8 (Dovecot logs client bytes verbatim).
func readText(_ path: String) -> String {
    guard let data = FileManager.default.contents(atPath: path) else { return "" }
    return String(decoding: data, as: UTF8.self)
}
