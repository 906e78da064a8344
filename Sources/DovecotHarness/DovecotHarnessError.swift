#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Every failure carries what is needed to diagnose it from a test log alone: the command and its
/// stderr, or Dovecot's own log tail.
public enum DovecotHarnessError: Error, CustomStringConvertible {
    case invalidConfiguration(String)
    case missingExecutable(String)
    case commandFailed(command: [String], exitStatus: Int32, stderr: String, stdout: String)
    case commandTimedOut(command: [String], seconds: Double, stderr: String)
    case startFailed(reason: String, logTail: String)
    case system(String, errno: Int32)
    case serverStopped(String)
    case unexpectedOutput(command: [String], output: String)

    public var description: String {
        switch self {
        case .invalidConfiguration(let message):
            return "invalid Dovecot configuration: \(message)"
        case .missingExecutable(let name):
            return "\(name) not found (install dovecot-imapd and openssl)"
        case let .commandFailed(command, status, stderr, stdout):
            var text = "`\(Self.shellLine(command))` exited with status \(status)"
            if !stderr.isEmpty { text += "\nstderr:\n\(stderr)" }
            if !stdout.isEmpty { text += "\nstdout:\n\(stdout)" }
            return text
        case let .commandTimedOut(command, seconds, stderr):
            return "`\(Self.shellLine(command))` did not finish within \(seconds) s\nstderr:\n\(stderr)"
        case let .startFailed(reason, logTail):
            return "Dovecot did not start: \(reason)\n--- Dovecot log tail ---\n\(logTail)"
        case .serverStopped(let root):
            return "the Dovecot instance in \(root) has been stopped"
        case let .unexpectedOutput(command, output):
            return "`\(Self.shellLine(command))` printed something unexpected:\n\(output)"
        case let .system(call, code):
            return "\(call) failed: \(String(cString: strerror(code))) (errno \(code))"
        }
    }

    static func shellLine(_ command: [String]) -> String {
        command.map { $0.contains(where: { " \"'\\$".contains($0) }) ? "'\($0)'" : $0 }.joined(separator: " ")
    }
}
