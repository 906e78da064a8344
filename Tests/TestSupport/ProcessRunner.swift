import Foundation

/// The one way tests run another program: the built `mailferry`, GNU tar, doveadm.
public enum ProcessRunner {
    public struct Outcome: Sendable {
        public var status: Int32
        public var killedBySignal: Bool
        public var stdout: String
        public var stderr: String
    }

    /// Runs `executable` (a path, or a name looked up through /usr/bin/env) to its end. stdout
    /// and stderr are read at the same time, so neither fills its pipe and stalls the child.
    public static func run(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil,
        directory: String? = nil
    ) throws -> Outcome {
        let process = Process()
        if executable.hasPrefix("/") {
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [executable] + arguments
        }
        if let environment { process.environment = environment }
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let collected = Collected()
        let group = DispatchGroup()
        group.enter()
        Thread.detachNewThread {
            collected.setErrors(errors.fileHandleForReading.readDataToEndOfFile())
            group.leave()
        }
        let stdout = output.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        let exit = process.waitForExit()
        return Outcome(
            status: exit.status, killedBySignal: exit.killedBySignal,
            stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: collected.errors, as: UTF8.self))
    }

    /// The same on a thread of its own: waiting seconds for a process must not hold one of the
    /// cooperative pool's threads, which the other tests need.
    public static func runDetached(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil,
        directory: String? = nil
    ) async throws -> Outcome {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(
                    with: Result { try run(executable, arguments, environment: environment, directory: directory) })
            }
        }
    }

    private final class Collected: @unchecked Sendable {
        private let lock = NSLock()
        private var data = Data()
        func setErrors(_ value: Data) { lock.lock(); data = value; lock.unlock() }
        var errors: Data { lock.lock(); defer { lock.unlock() }; return data }
    }
}
