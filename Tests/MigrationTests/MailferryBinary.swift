import Foundation

/// Runs the built `mailferry` executable, for tests that must kill a real process.
enum MailferryBinary {
    static let path: String = {
        var directory = URL(fileURLWithPath: ProcessInfo.processInfo.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("mailferry").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory.deleteLastPathComponent()
        }
        return "mailferry"
    }()

    struct Outcome {
        var status: Int32
        var killedBySignal: Bool
        var stdout: String
        var stderr: String
    }

    /// Runs the binary on a thread of its own: waiting for a process for seconds must not hold
    /// one of the cooperative pool's two threads, which the other tests need.
    static func run(_ arguments: [String], environment extra: [String: String] = [:]) async throws -> Outcome {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try runBlocking(arguments, environment: extra) })
            }
        }
    }

    private static func runBlocking(_ arguments: [String], environment extra: [String: String]) throws -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "MAILFERRY_FAULT")
        environment.merge(extra) { $1 }
        process.environment = environment
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let stdout = output.fileHandleForReading.readDataToEndOfFile()
        let stderr = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Outcome(status: process.terminationStatus, killedBySignal: process.terminationReason == .uncaughtSignal,
                       stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderr, as: UTF8.self))
    }
}

extension PullFixture {
    /// `mailferry pull` as an admin would run it; the password only in the environment.
    func runPull(store: String, extraArguments: [String] = [], environment: [String: String] = [:]) async throws -> MailferryBinary.Outcome {
        try await MailferryBinary.run(["pull", "--source", "imaps://alice@\(server.host):\(server.imapsPort)", "--ca-file", server.caFile,
                                 "--store", store, "--job", "alice", "--connections", "2"] + extraArguments,
                                environment: ["MAILFERRY_SOURCE_PASSWORD": sourcePassword].merging(environment) { $1 })
    }
}
