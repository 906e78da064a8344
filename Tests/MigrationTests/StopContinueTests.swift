import Foundation
import Testing

/// Ctrl-Z then `fg` (SIGSTOP / SIGCONT): Linux makes socket calls with timeouts fail with EINTR
/// after a stopped process resumes, even without handlers. Every read and write — TLS included —
/// must retry, so the run finishes exact.
@Suite("SIGSTOP / SIGCONT during a run")
struct StopContinueTests {
    @Test("migrate stopped and continued again and again finishes exact")
    func stopAndContinue() async throws {
        let fixture = try await MigrationFixture.start(spec: .init(messagesPerFolder: 12, largeMessageBytes: 2_000_000))
        defer { fixture.stop() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: MailferryBinary.path)
        process.arguments = [
            "migrate", "--source", "imaps://alice@\(fixture.source.server.host):\(fixture.source.server.imapsPort)",
            "--target", "imaps://carol@\(fixture.target.host):\(fixture.target.imapsPort)",
            "--ca-file", try fixture.combinedCAFile(), "--store", fixture.store, "--job", "alice", "--connections", "2",
        ]
        process.environment = ProcessInfo.processInfo.environment.merging(
            ["MAILFERRY_SOURCE_PASSWORD": sourcePassword, "MAILFERRY_TARGET_PASSWORD": targetPassword]) { $1 }
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let pid = process.processIdentifier
        // On a thread of its own: blocking waits must not hold the cooperative pool.
        let stops = await withCheckedContinuation { (continuation: CheckedContinuation<Int, Never>) in
            Thread.detachNewThread {
                var count = 0
                while process.isRunning && count < 200 {
                    usleep(30_000)
                    guard kill(pid, SIGSTOP) == 0 else { break }
                    count += 1
                    usleep(30_000)
                    kill(pid, SIGCONT)
                }
                continuation.resume(returning: count)
            }
        }
        let exit = process.waitForExit()
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(stops >= 5, "the run was stopped and continued \(stops) times")
        #expect(exit.status == 0, "\(stderr)")
        #expect(try await fixture.targetSnapshot() == (try await fixture.expectedOnTarget()))
    }
}
