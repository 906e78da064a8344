import Foundation
import MailStore
import Testing

/// Every class of outcome, from the binary, against its exit code in the spec: 0 done, 1 done
/// with failures (or verify different, or the job failing), 2 bad input or configuration, 3
/// cannot connect or log in. 130 (stopped) is asserted in StopSignalTests.
@Suite("exit codes: each outcome class → its code, from the binary", .serialized)
struct ExitCodeTableTests {
    struct Row: CustomStringConvertible {
        var name: String
        var command: String
        var extra: [String] = []
        var environment: [String: String] = [:]
        var code: Int32
        var says: String
        var description: String { name }
    }

    @Test("the table")
    func table() async throws {
        let fixture = try await MigrationFixture.start(spec: .init(messagesPerFolder: 3))
        defer { fixture.stop() }
        let broken = fixture.store + "/broken"
        try FileManager.default.createDirectory(atPath: broken, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: broken + "/state.sqlite", contents: Data(repeating: 0x5A, count: 8192))
        let rows: [Row] = [
            Row(name: "pull done", command: "pull", code: 0, says: "Pull pass"),
            Row(name: "verify before any push: different", command: "verify", code: 1, says: "DIFFERENT"),
            Row(name: "migrate done", command: "migrate", code: 0, says: "Push of"),
            Row(name: "verify after migrate: equal", command: "verify", code: 0, says: "EQUAL"),
            Row(name: "unknown option", command: "push", extra: ["--bogus"], code: 2, says: "--bogus"),
            Row(
                name: "push of a job never pulled", command: "push", extra: ["--job", "nobody"], code: 2, says: "nobody"
            ),
            Row(
                name: "corrupt state database: the job fails, not bad input", command: "push",
                extra: ["--job", "broken"],
                code: 1, says: "state.sqlite"),
            Row(
                name: "wrong target password", command: "push",
                environment: ["MAILFERRY_TARGET_PASSWORD": "Wrong-Passw0rd"],
                code: 3, says: "authentication failed"),
            Row(
                name: "nothing listening (at once, no minute of retries)", command: "pull",
                extra: ["--source", "imaps://alice@127.0.0.1:1"], code: 3, says: "refused"),
            Row(
                name: "untrusted certificate", command: "pull", extra: ["--ca-file", fixture.target.caFile], code: 3,
                says: "certificate"),
        ]
        for row in rows {
            let began = Date()
            // A repeated option takes its last value: the row's --source or --ca-file wins.
            let outcome =
                row.command == "pull"
                ? try await fixture.source.runPull(
                    store: fixture.store, extraArguments: row.extra, environment: row.environment)
                : try await fixture.runBinary(row.command, extra: row.extra, environment: row.environment)
            #expect(outcome.status == row.code, "\(row): \(outcome.status)\n\(outcome.stderr)")
            #expect(
                (outcome.stdout + outcome.stderr).localizedCaseInsensitiveContains(row.says),
                "\(row): \(outcome.stdout)\(outcome.stderr)")
            // The retry budget's back-off adds up to over 25 s: no row may wait it out.
            #expect(Date().timeIntervalSince(began) < 12, "\(row) took \(Date().timeIntervalSince(began)) s")
        }
        // Held by another process (here: the test): bad input, naming the job.
        let lock = try StoreLock(path: fixture.layout.lockFile, job: "alice")
        defer { lock.release() }
        let locked = try await fixture.runBinary("push")
        #expect(locked.status == 2, "\(locked.stderr)")
        #expect(locked.stderr.contains("alice"))
    }
}
