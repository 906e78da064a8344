import Foundation
import MailStore
import Testing

/// The target Dovecot is stopped in the middle of a migrate (every connection drops, the port
/// refuses for two seconds) and started again: the same process reconnects and finishes exact.
@Suite("target restarted mid-run")
struct TargetRestartTests {
    @Test("the target goes away for 2 s mid-push and comes back: one run, default retries, ends exact")
    func targetRestart() async throws {
        let fixture = try await MigrationFixture.start(spec: .init(messagesPerFolder: 40))
        defer { fixture.stop() }
        let finished = DoneFlag()
        let run = Task {
            defer { finished.set() }
            return try await fixture.runBinary("migrate", environment: ["MAILFERRY_TEST_PACE_MS": "40"])
        }
        // Restart once the target holds some of the mail, while the run is surely mid-way.
        let restartedMidRun = try await withCheckedThrowingContinuation {
            (continuation: CheckedContinuation<Bool, Error>) in
            Thread.detachNewThread {
                var uploaded = 0
                let deadline = Date(timeIntervalSinceNow: 60)
                while !finished.isSet && uploaded < 20 && Date() < deadline {
                    usleep(100_000)
                    let status = try? fixture.target.doveadm(["mailbox", "status", "-u", "carol", "messages", "INBOX"])
                    uploaded =
                        Int(status?.split(separator: "=").last?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "")
                        ?? 0
                }
                let midRun = !finished.isSet
                continuation.resume(
                    with: Result {
                        try fixture.target.restart(downFor: 2); return midRun
                    })
            }
        }
        let outcome = try await run.value
        #expect(restartedMidRun, "the run ended before the target had 20 messages")
        #expect(outcome.status == 0, "\(outcome.stderr.suffix(2000))")
        #expect(outcome.stderr.contains("reconnect"), "the restart was noticed: \(outcome.stderr.suffix(1000))")
        #expect(try await fixture.targetSnapshot() == (try await fixture.expectedOnTarget()))
        let again = try await fixture.runBinary("migrate")
        #expect(again.stdout.contains("Uploaded   0 messages"), "\(again.stdout)")
    }
}

/// A source folder deleted while the pull runs: the folder is reported and skipped, the rest
/// is exact, and the next pass records the folder as gone at the source.
@Suite("source folder deleted mid-pass")
struct SourceFolderDeletedTests {
    @Test("deleting a source folder during the pull: reported, the rest exact, the next pass marks it gone")
    func folderDeletedMidPass() async throws {
        let fixture = try await MigrationFixture.start(spec: .init(messagesPerFolder: 30, extraFolders: 2))
        defer { fixture.stop() }
        let finished = DoneFlag()
        let run = Task {
            defer { finished.set() }
            return try await fixture.source.runPull(
                store: fixture.store, extraArguments: ["--connections", "1"],
                environment: ["MAILFERRY_TEST_PACE_MS": "150"])
        }
        let deletedMidRun = try await withCheckedThrowingContinuation {
            (continuation: CheckedContinuation<Bool, Error>) in
            Thread.detachNewThread {
                // Once the pull has stored some mail (so it listed the folders), while it surely runs.
                let deadline = Date(timeIntervalSinceNow: 60)
                while !finished.isSet && Date() < deadline
                    && fileTree(fixture.layout.maildir).filter({ $0.contains("/cur/") }).count < 10
                {
                    usleep(50_000)
                }
                let midRun = !finished.isSet
                continuation.resume(
                    with: Result {
                        _ = try fixture.source.server.doveadm(["mailbox", "delete", "-u", "alice", "-r", "Lists"])
                        return midRun
                    })
            }
        }
        let first = try await run.value
        #expect(deletedMidRun, "the pull ended before the folder was deleted")
        #expect([0, 1].contains(first.status), "done, or done with the folder reported: \(first.stderr.suffix(1500))")
        let second = try await fixture.source.runPull(store: fixture.store)
        #expect(second.status == 0, "\(second.stdout)\(second.stderr)")
        let database = try StateDatabase(path: fixture.layout.database)
        let gone = try database.folders().filter { $0.name.hasPrefix("Lists") }
        #expect(!gone.isEmpty && gone.allSatisfy { $0.state == .gone }, "\(gone.map { "\($0.name) \($0.state)" })")
        let stored = try snapshot(of: fixture.layout).filter { !$0.folder.hasPrefix("Lists") }
        #expect(stored == (try await snapshot(of: fixture.source.server)), "every folder still at the source is exact")
    }
}
