import Foundation

/// A test helper server from the repository's `scripts/` (an SMTP server, an admin API): run
/// with Debian's Python, it prints its port on stdout once it listens and runs until killed.
public final class HelperServer: @unchecked Sendable {
    public let process = Process()
    public let port: Int

    /// The path of `scripts/NAME` in this checkout.
    public static func script(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/\(name)").path
    }

    /// Starts `scripts/NAME` on a thread of its own (it blocks until the server says its port).
    public static func start(
        _ name: String, _ arguments: [String], environment: [String: String]? = nil
    ) async throws -> HelperServer {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try HelperServer(name, arguments, environment: environment) })
            }
        }
    }

    private init(_ name: String, _ arguments: [String], environment: [String: String]?) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [Self.script(name)] + arguments
        if let environment { process.environment = environment }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let line = String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
        guard let port = Int(line.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            throw HelperServerFailed(script: name, output: line)
        }
        self.port = port
    }

    /// SIGKILL: a child of the test process may have inherited an ignored SIGTERM.
    public func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitForExit()
    }
}

public struct HelperServerFailed: Error, CustomStringConvertible {
    public var script: String
    public var output: String
    public var description: String { "\(script) did not say its port: \(output)" }
}
