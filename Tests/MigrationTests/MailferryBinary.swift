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

    typealias Outcome = ProcessRunner.Outcome

    /// Runs the binary with the test's environment plus `extra` (never an inherited fault point).
    static func run(_ arguments: [String], environment extra: [String: String] = [:]) async throws -> Outcome {
        var environment = ProcessInfo.processInfo.environment
        for key in ["MAILFERRY_FAULT", "MAILFERRY_CRASH_AT_STEP", "MAILFERRY_STEP_LOG"] {
            environment.removeValue(forKey: key)
        }
        environment.merge(extra) { $1 }
        return try await ProcessRunner.runDetached(path, arguments, environment: environment)
    }
}

extension PullFixture {
    /// `mailferry pull` as an admin would run it; the password only in the environment.
    func runPull(
        store: String, extraArguments: [String] = [], environment: [String: String] = [:]
    ) async throws -> MailferryBinary.Outcome {
        try await MailferryBinary.run(
            [
                "pull", "--source", "imaps://alice@\(server.host):\(server.imapsPort)", "--ca-file", server.caFile,
                "--store", store, "--job", "alice", "--connections", "2",
            ] + extraArguments,
            environment: ["MAILFERRY_SOURCE_PASSWORD": sourcePassword].merging(environment) { $1 })
    }
}
