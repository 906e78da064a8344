import DovecotHarness
import Foundation
import GRDB
import MailArchive
import MailCorpus
import MailStore
import TestSupport
import Testing

/// mbsync's method: count every durable step of a small migrate (database commits, renames
/// into place, files written atomically, archives sealed), then for each step k kill the run
/// with SIGKILL right after step k, resume it, and compare the Maildir, the ledger, the
/// archives and the target with an uninterrupted run; a further run must change nothing.
/// Each k gets a fresh store and a fresh target account.
@Suite("crash at every durable step of a migrate")
struct CrashEveryStepTests {
    static let accounts = 160

    @Test(
        "killed after each durable step and resumed: the same Maildir, ledger, archived messages and target as an uninterrupted run"
    )
    func everyStep() async throws {
        let fixture = try await MigrationFixture.start(
            spec: CorpusSpec(messagesPerFolder: 1, seed: 9),
            extraTargetUsers: (0..<Self.accounts).map { "k\($0)" })
        defer { fixture.stop() }

        let reference = try await Run(fixture: fixture, index: 0)
        let stepLog = "\(reference.store)/steps.log"
        let first = try await reference.migrate(environment: ["MAILFERRY_STEP_LOG": stepLog])
        try #require(first.status == 0, "\(first.stderr)")
        let steps = try String(contentsOfFile: stepLog, encoding: .utf8).split(separator: "\n")
        let kinds = Dictionary(grouping: steps.map { $0.split(separator: " ")[1] }, by: { $0 }).mapValues(\.count)
        try #require(steps.count >= 20 && steps.count < Self.accounts, "\(steps.count) steps: \(kinds)")
        let expected = try await reference.state()
        #expect(!expected.maildir.isEmpty && !expected.target.isEmpty)

        // Every k, a few at a time (each a fresh store and target account).
        let failures = try await Self.forEachStep(steps.count) { k in
            let run = try await Run(fixture: fixture, index: k)
            let killed = try await run.migrate(environment: ["MAILFERRY_CRASH_AT_STEP": "\(k)"])
            guard killed.status != 0 else { return "step \(k): the run was not killed (exit 0)" }
            let resumed = try await run.migrate()
            guard resumed.status == 0 else {
                return
                    "step \(k): the resumed run failed (exit \(resumed.status)): \(resumed.stderr.suffix(800))"
            }
            let state = try await run.state()
            if let difference = state.difference(from: expected) {
                return "step \(k) (\(steps[k - 1])): \(difference)"
            }
            let again = try await run.migrate()
            guard again.status == 0, again.stdout.contains("Copied     0 messages"),
                again.stdout.contains("Uploaded   0 messages")
            else { return "step \(k): a run after the resume still changed something:\n\(again.stdout)" }
            return nil
        }
        #expect(failures.isEmpty, "\(failures.count) of \(steps.count) steps:\n\(failures.joined(separator: "\n"))")
        print("crash-every-step: \(steps.count) durable steps covered: \(kinds.sorted { $0.key < $1.key })")
    }

    @Test(
        "a one-mailbox batch killed after each durable step and resumed with batch run: done once, the same job store and target"
    )
    func everyBatchStep() async throws {
        let fixture = try await MigrationFixture.start(
            spec: CorpusSpec(messagesPerFolder: 1, extraFolders: 0, seed: 10),
            extraTargetUsers: (0..<Self.accounts).map { "b\($0)" })
        defer { fixture.stop() }
        let reference = try await BatchCrashRun(fixture: fixture, index: 0)
        let stepLog = "\(reference.store)/steps.log"
        let first = try await reference.run(environment: ["MAILFERRY_STEP_LOG": stepLog])
        try #require(first.status == 0, "\(first.stdout)\(first.stderr)")
        let steps = try String(contentsOfFile: stepLog, encoding: .utf8).split(separator: "\n")
        let batchSteps = steps.filter { $0.hasSuffix("batches") }.count
        try #require(steps.count >= 20 && steps.count < Self.accounts && batchSteps > 3, "\(steps.count) steps")
        let expected = try await reference.state()

        let failures = try await Self.forEachStep(steps.count) { k in
            let run = try await BatchCrashRun(fixture: fixture, index: k)
            let ownLog = "\(run.store)/steps.log"
            let killed = try await run.run(
                environment: ["MAILFERRY_CRASH_AT_STEP": "\(k)", "MAILFERRY_STEP_LOG": ownLog])
            // The runner writes progress rows by the clock, so a run can have a few steps fewer.
            let ownSteps =
                (try? String(contentsOfFile: ownLog, encoding: .utf8))?.split(separator: "\n").count ?? 0
            guard killed.status != 0 || ownSteps < k else {
                return "step \(k): the run was not killed (exit 0)"
            }
            let resumed = try await run.run()
            guard resumed.status == 0 else {
                return
                    "step \(k): the resumed batch failed (exit \(resumed.status)): \(resumed.stdout.suffix(600)) \(resumed.stderr.suffix(600))"
            }
            let jobs = try await run.status()
            guard jobs.count == 1, jobs[0]["state"] as? String == "done" else {
                return "step \(k): after the resume the jobs are \(jobs)"
            }
            if let difference = try await run.state().difference(from: expected) {
                return "step \(k) (\(steps[k - 1])): \(difference)"
            }
            let again = try await run.run()
            let after = try await run.status()
            guard again.status == 0, after.first?["messages"] as? Int == 0 else {
                return "step \(k): a batch run after the resume copied again: \(after)"
            }
            return nil
        }
        #expect(failures.isEmpty, "\(failures.count) of \(steps.count) steps:\n\(failures.joined(separator: "\n"))")
        print(
            "crash-every-step (batch): \(steps.count) durable steps covered, \(batchSteps) of them in the batch store")
    }

    /// Runs `check` for every step 1…count, two at a time (each a migrate or batch of its own);
    /// returns what the failing ones said.
    static func forEachStep(
        _ count: Int, _ check: @escaping @Sendable (Int) async throws -> String?
    ) async throws -> [String] {
        try await withThrowingTaskGroup(of: String?.self) { group in
            var next = 1
            var failures: [String] = []
            for _ in 0..<2 where next <= count {
                let k = next
                next += 1
                group.addTask { try await check(k) }
            }
            while let result = try await group.next() {
                if let result { failures.append(result) }
                if next <= count {
                    let k = next
                    next += 1
                    group.addTask { try await check(k) }
                }
            }
            return failures
        }
    }

    /// A one-row batch into its own store and target account.
    struct BatchCrashRun {
        let fixture: MigrationFixture
        let user: String
        let store: String
        let csv: String

        init(fixture: MigrationFixture, index: Int) async throws {
            self.fixture = fixture
            user = "b\(index)"
            store = try makeTemporaryDirectory()
            csv = "\(store)/acme.csv"
            try """
            source_server,source_user,source_password,source_port,source_tls,target_user,target_password,create_mailbox
            \(fixture.source.server.host),alice,\(sourcePassword),\(fixture.source.server.imapsPort),true,\(user),\(targetPassword),false

            """.write(toFile: csv, atomically: true, encoding: .utf8)
        }

        func run(environment: [String: String] = [:]) async throws -> MailferryBinary.Outcome {
            try await MailferryBinary.run(
                [
                    "batch", "run", csv, "--store", "\(store)/data", "--target-server",
                    "imaps://\(fixture.target.host):\(fixture.target.imapsPort)", "--ca-file",
                    try fixture.pair.combinedCAFile(in: store), "--concurrency", "1",
                ], environment: environment)
        }

        func status() async throws -> [[String: Any]] {
            let outcome = try await MailferryBinary.run([
                "batch", "status", "acme", "--store", "\(store)/data", "--json",
            ])
            return (try? JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [[String: Any]]) ?? []
        }

        func state() async throws -> StoreState {
            let job = try #require(
                try FileManager.default.contentsOfDirectory(atPath: "\(store)/data").first { $0.contains("--to--") })
            return try await CrashEveryStepTests.state(
                of: StoreLayout(storeRoot: "\(store)/data", job: job), target: fixture.target, user: user)
        }
    }

    /// One store and one target account.
    struct Run {
        let fixture: MigrationFixture
        let user: String
        let store: String

        init(fixture: MigrationFixture, index: Int) async throws {
            self.fixture = fixture
            user = "k\(index)"
            store = try makeTemporaryDirectory()
        }

        func migrate(environment: [String: String] = [:]) async throws -> MailferryBinary.Outcome {
            try await MailferryBinary.run(
                [
                    "migrate", "--source",
                    "imaps://alice@\(fixture.source.server.host):\(fixture.source.server.imapsPort)",
                    "--target", "imaps://\(user)@\(fixture.target.host):\(fixture.target.imapsPort)",
                    "--ca-file", try fixture.pair.combinedCAFile(in: store), "--store", store, "--job", "alice",
                    "--connections", "2", "--retry-delay", "0.05",
                ],
                environment: [
                    "MAILFERRY_SOURCE_PASSWORD": sourcePassword, "MAILFERRY_TARGET_PASSWORD": targetPassword,
                ].merging(environment) { $1 })
        }

        func state() async throws -> StoreState {
            try await CrashEveryStepTests.state(
                of: StoreLayout(storeRoot: store, job: "alice"), target: fixture.target, user: user)
        }
    }

    /// A job's Maildir files, ledger rows, archived messages and its target account.
    static func state(of layout: StoreLayout, target server: DovecotServer, user: String) async throws -> StoreState {
        do {
            let maildir = fileTree(layout.maildir).filter { $0.contains("/cur/") || $0.hasPrefix("cur/") }
            let database = try StateDatabase(path: layout.database)
            let ledger = try await database.queue.read { db in
                try String.fetchAll(
                    db,
                    sql: """
                        SELECT f.name || ' ' || m.uid || ' ' || m.sha256 || ' [' || m.flags || '] ' || m.sourceState
                            || ' ' || COALESCE(u.state, 'none') || ' ' || COALESCE(u.targetFolder, '-')
                            || ' ' || (u.targetUID IS NOT NULL)
                        FROM message m JOIN folder f ON f.id = m.folderID LEFT JOIN upload u ON u.messageRowID = m.id
                        ORDER BY 1
                        """)
            }
            let unsealed = try await database.queue.read { db in
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM pass WHERE status != 'sealed'") ?? 0
            }
            var archived: [String] = []
            for name in fileTree(layout.archives) where name.hasSuffix(".tar") {
                try ArchiveReader(path: "\(layout.archives)/\(name)").forEachEntry { info, _ in
                    if info.path.contains("/cur/") { archived.append(info.path) }
                }
            }
            let target = try await snapshot(of: server, user: user, password: targetPassword)
            return StoreState(
                maildir: maildir, ledger: ledger, archivedMessages: Set(archived), archiveEntries: archived.count,
                unsealedPasses: unsealed, target: target)
        }
    }

    struct StoreState {
        var maildir: [String]
        var ledger: [String]
        var archivedMessages: Set<String>
        var archiveEntries: Int
        var unsealedPasses: Int
        var target: [MessageFacts]

        func difference(from expected: StoreState) -> String? {
            if maildir != expected.maildir {
                return
                    "Maildir differs: missing \(Set(expected.maildir).subtracting(maildir).sorted()), extra \(Set(maildir).subtracting(expected.maildir).sorted())"
            }
            if ledger != expected.ledger {
                return
                    "ledger differs: missing \(Set(expected.ledger).subtracting(ledger).sorted()), extra \(Set(ledger).subtracting(expected.ledger).sorted())"
            }
            if archivedMessages != expected.archivedMessages {
                return
                    "archived messages differ: missing \(expected.archivedMessages.subtracting(archivedMessages).sorted()), extra \(archivedMessages.subtracting(expected.archivedMessages).sorted())"
            }
            if archiveEntries != archivedMessages.count {
                return "a message is archived twice (\(archiveEntries) entries)"
            }
            if unsealedPasses != 0 { return "\(unsealedPasses) passes left unsealed" }
            if target != expected.target {
                return
                    "target differs: missing \(expected.target.filter { !target.contains($0) }), extra \(target.filter { !expected.target.contains($0) })"
            }
            return nil
        }
    }
}
