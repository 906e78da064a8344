import DovecotHarness
import Foundation
import Testing

/// The server drops every session of the user (`doveadm kick`) while a migrate runs, on both
/// sides, several times: the run reconnects and finishes exact, in one go.
@Suite("doveadm kick during migrate")
struct KickTests {
    @Test("kicking the user on source and target mid-run: one run still ends exact, no duplicates")
    func kickedMidRun() async throws {
        let fixture = try await MigrationFixture.start(spec: .init(messagesPerFolder: 50, largeMessageBytes: 8_000_000))
        defer { fixture.stop() }
        let finished = DoneFlag()
        let run = Task {
            defer { finished.set() }
            return try await fixture.runBinary("migrate")
        }
        // Kick on a thread of its own (doveadm blocks), every 150 ms until the run ends, so the
        // kicks land however long the binary takes to start on a loaded machine.
        let kicks = await withCheckedContinuation { (continuation: CheckedContinuation<Int, Never>) in
            Thread.detachNewThread {
                var count = 0, round = 0
                while !finished.isSet && round < 200 {
                    usleep(100_000)
                    let server = round % 2 == 0 ? fixture.target : fixture.source.server
                    let user = round % 2 == 0 ? "carol" : "alice"
                    if count < 6, let output = try? server.doveadm(["kick", user]), output.contains(user) {
                        count += 1
                    }
                    round += 1
                }
                continuation.resume(returning: count)
            }
        }
        let outcome = try await run.value
        #expect(kicks >= 1, "at least one kick hit a live session")
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(try await fixture.targetSnapshot() == (try await fixture.expectedOnTarget()))
        let again = try await fixture.runBinary("migrate")
        #expect(again.stdout.contains("Uploaded   0 messages"), "\(again.stdout)")
    }
}

/// A flag set once, read from any thread.
final class DoneFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}
