import Foundation
import MailCorpus
import Testing

/// A `mailferry` process whose stdout is read line by line while it runs, so a test can act
/// (send a signal) at a chosen event of `--progress json`.
final class RunningMailferry: @unchecked Sendable {
    let process = Process()
    /// Set by `waitForExit(since:)`: whether a signal ended the run.
    private(set) var endedBySignal = false
    private let output = Pipe(), errors = Pipe()
    private let lock = NSLock()
    private var lines: [String] = []
    private var errorText = Data()

    init(_ arguments: [String], environment: [String: String]) throws {
        process.executableURL = URL(fileURLWithPath: MailferryBinary.path)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        try process.run()
        Thread.detachNewThread { [self] in
            var buffer = Data()
            while case let chunk = output.fileHandleForReading.availableData, !chunk.isEmpty {
                buffer.append(chunk)
                while let newline = buffer.firstIndex(of: 0x0A) {
                    let line = String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self)
                    buffer.removeSubrange(buffer.startIndex...newline)
                    lock.lock(); lines.append(line); lock.unlock()
                }
            }
        }
        Thread.detachNewThread { [self] in
            while case let chunk = errors.fileHandleForReading.availableData, !chunk.isEmpty {
                lock.lock(); errorText.append(chunk); lock.unlock()
            }
        }
    }

    var stdoutLines: [String] { lock.lock(); defer { lock.unlock() }; return lines }
    var stderr: String { lock.lock(); defer { lock.unlock() }; return String(decoding: errorText, as: UTF8.self) }

    /// Waits (off the cooperative pool) until `count` lines contain `text`; false if the process ended first.
    func waitFor(_ text: String, count: Int = 1, timeout: TimeInterval = 60) async -> Bool {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread { [self] in
                let deadline = Date().addingTimeInterval(timeout)
                while Date() < deadline {
                    if stdoutLines.filter({ $0.contains(text) }).count >= count {
                        continuation.resume(returning: true); return
                    }
                    if !process.isRunning { continuation.resume(returning: false); return }
                    usleep(5_000)
                }
                continuation.resume(returning: false)
            }
        }
    }

    func waitForStderr(_ text: String, timeout: TimeInterval = 10) async -> Bool {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread { [self] in
                let deadline = Date().addingTimeInterval(timeout)
                while Date() < deadline {
                    if stderr.contains(text) { continuation.resume(returning: true); return }
                    usleep(5_000)
                }
                continuation.resume(returning: false)
            }
        }
    }

    /// Waits for the exit; returns the status and how long it took from `since`.
    func waitForExit(since: Date) async -> (status: Int32, seconds: TimeInterval) {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread { [self] in
                let exit = process.waitForExit()
                endedBySignal = exit.killedBySignal
                usleep(50_000)  // let the reader threads drain the pipes
                continuation.resume(returning: (exit.status, Date().timeIntervalSince(since)))
            }
        }
    }
}

extension MigrationFixture {
    func startMigrate(extra: [String] = []) throws -> RunningMailferry {
        try RunningMailferry(
            [
                "migrate", "--source", "imaps://alice@\(source.server.host):\(source.server.imapsPort)",
                "--target", "imaps://carol@\(target.host):\(target.imapsPort)", "--ca-file", try combinedCAFile(),
                "--store", store, "--job", "alice", "--connections", "2", "--progress", "json",
            ] + extra,
            // Paced: on a loaded machine the test may read an event seconds after it was
            // printed; 500 ms per commit keeps the run going for seconds after the point it waits for.
            environment: [
                "MAILFERRY_SOURCE_PASSWORD": sourcePassword, "MAILFERRY_TARGET_PASSWORD": targetPassword,
                "MAILFERRY_TEST_PACE_MS": "500",
            ])
    }
}

@Suite("Ctrl-C and SIGTERM stop a run gracefully", .serialized)
struct StopSignalTests {
    @Test(
        "SIGINT or SIGTERM at seeded points: exit 130 within 2 s, 'run again to resume'; the rerun makes the target exact",
        arguments: [(SIGINT, UInt64(1)), (SIGTERM, UInt64(2)), (SIGINT, UInt64(3)), (SIGTERM, UInt64(4))]
            as [(Int32, UInt64)])
    func signalAtSeededPoint(signal: Int32, seed: UInt64) async throws {
        let fixture = try await MigrationFixture.start(spec: .init(messagesPerFolder: 12, largeMessageBytes: 2_000_000))
        defer { fixture.stop() }
        var random = SeededRandom(seed: seed)
        let point = Int.random(in: 1...3, using: &random)
        let run = try fixture.startMigrate()
        #expect(await run.waitFor(#""event":"messages-moved""#, count: point), "the run got to its \(point)th commit")
        #expect(
            run.process.isRunning, "the run is still going when signalled (else the machine is too loaded to test this)"
        )
        let sent = Date()
        kill(run.process.processIdentifier, signal)
        let (status, seconds) = await run.waitForExit(since: sent)
        #expect(status == 130, "after \(seconds) s, last lines \(run.stdoutLines.suffix(2)) \(run.stderr)")
        #expect(seconds < 2, "ended \(String(format: "%.2f", seconds)) s after the signal")
        #expect(run.stderr.contains("stopped; run again to resume"))
        #expect(run.stdoutLines.last?.contains(#""outcome":"stopped""#) == true, "the last event says stopped")
        #expect(try fixture.pendingUploads() == 0, "nothing left pending")
        let final = try await fixture.runBinary("migrate")
        #expect(final.status == 0, "\(final.stderr)")
        #expect(try await fixture.targetSnapshot() == (try await fixture.expectedOnTarget()))
        let history = try await MailferryBinary.run(["history", "--store", fixture.store, "--job", "alice", "--json"])
        #expect(history.status == 0)
        #expect(history.stdout.components(separatedBy: #""outcome" : "stopped""#).count - 1 == 1)
        #expect(history.stdout.components(separatedBy: #""outcome" : "done""#).count - 1 == 1)
    }

    @Test("a second Ctrl-C ends the run at once; the rerun still loses nothing and appends nothing twice")
    func secondInterrupt() async throws {
        let fixture = try await MigrationFixture.start(spec: .init(messagesPerFolder: 12, largeMessageBytes: 2_000_000))
        defer { fixture.stop() }
        let run = try fixture.startMigrate()
        #expect(await run.waitFor(#""event":"messages-moved""#))
        // A silent target holds the graceful stop up (an APPEND in flight) for its grace
        // period: only the second Ctrl-C can end the run sooner.
        let paused = PausedProcesses()
        defer { paused.resume() }
        paused.pause(fixture.target.imapProcessIDs())
        kill(run.process.processIdentifier, SIGINT)
        #expect(await run.waitForStderr("stopping at the next commit"))
        let sent = Date()
        kill(run.process.processIdentifier, SIGINT)
        let (status, seconds) = await run.waitForExit(since: sent)
        paused.resume()
        #expect(status == 130)
        #expect(seconds < 1.5, "before the graceful stop's 1.5 s grace could even end")
        #expect(run.stderr.contains("stopped at once"))
        let final = try await fixture.runBinary("migrate")
        #expect(final.status == 0, "\(final.stderr)")
        #expect(try await fixture.targetSnapshot() == (try await fixture.expectedOnTarget()))
        let history = try await MailferryBinary.run(["history", "--store", fixture.store, "--job", "alice"])
        #expect(
            history.stdout.contains("interrupted"), "the run cut off at once is marked interrupted: \(history.stdout)")
    }
}
