import DovecotHarness
import Foundation
import MailCorpus
import MailStore
import TestSupport
import Testing

/// Workers on one shared PostgreSQL (a private cluster) moving mailboxes between two real
/// Dovecots, each worker a `mailferry worker` process with a store of its own.
struct WorkerFixture {
    let pair: DovecotPair
    let postgres: PostgresServer
    let directory: TemporaryDirectory
    let csv: String
    let mailboxes: Int
    let environment: [String: String]
    /// Every worker process started, killed by `stop` whatever the test's path.
    let started = StartedProcesses()

    var targetServer: String { "imaps://\(pair.target.host):\(pair.target.imapsPort)" }

    static func source(_ index: Int) -> String { String(format: "s%02d", index) }
    static func target(_ index: Int) -> String { String(format: "t%02d", index) }

    static func start(
        mailboxes: Int, messagesPerFolder: Int, largeMessageBytes: Int? = nil
    ) async throws
        -> WorkerFixture
    {
        let postgres = try await PostgresServer.start()
        let pair: DovecotPair
        do {
            pair = try await DovecotPair.launch(
                source: DovecotConfiguration(
                    users: (1...mailboxes).map { DovecotUser(name: source($0), password: sourcePassword) }),
                target: DovecotConfiguration(
                    users: (1...mailboxes).map { DovecotUser(name: target($0), password: targetPassword) }))
        } catch {
            postgres.stop()
            throw error
        }
        let directory = try TemporaryDirectory()
        for index in 1...mailboxes {
            let client = try await pair.source.connectedClient(user: source(index), password: sourcePassword)
            let folders = try CorpusGenerator(
                spec: CorpusSpec(
                    messagesPerFolder: messagesPerFolder, largeMessageBytes: largeMessageBytes, seed: UInt64(index)),
                scratchDirectory: directory.path
            ).folders()
            _ = try await CorpusLoader(client: client).load(folders, separator: ".")
            await client.logout()
        }
        let host = pair.source.host, port = pair.source.imapsPort
        var lines = [
            "source_server,source_user,source_password,source_port,source_tls,target_user,target_password,create_mailbox"
        ]
        for index in 1...mailboxes {
            lines.append(
                "\(host),\(source(index)),\(sourcePassword),\(port),true,\(target(index)),\(targetPassword),false")
        }
        let csv = directory.file("acme.csv")
        try (lines.joined(separator: "\n") + "\n").write(toFile: csv, atomically: true, encoding: .utf8)
        let key = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
        return WorkerFixture(
            pair: pair, postgres: postgres, directory: directory, csv: csv, mailboxes: mailboxes,
            environment: ["MAILFERRY_SECRET_KEY": key])
    }

    func stop() {
        started.killAll()
        pair.stop()
        postgres.stop()
    }

    func caFile() throws -> String { try pair.combinedCAFile(in: directory.path) }

    func submit() async throws -> MailferryBinary.Outcome {
        try await MailferryBinary.run(
            [
                "batch", "run", csv, "--db", postgres.url, "--store", directory.file("submitter"), "--target-server",
                targetServer, "--detach", "--json",
            ], environment: environment)
    }

    func worker(
        _ name: String, concurrency: Int = 3, environment extra: [String: String] = [:]
    ) throws
        -> RunningMailferry
    {
        started.add(
            try RunningMailferry(
                [
                    "worker", "--db", postgres.url, "--store", directory.file("store-\(name)"), "--name", name,
                    "--concurrency", "\(concurrency)", "--lease-seconds", "6", "--ca-file", try caFile(),
                ], environment: environment.merging(extra) { $1 }))
    }

    func status() async throws -> [[String: Any]] {
        let outcome = try await MailferryBinary.run(
            ["batch", "status", "acme", "--db", postgres.url, "--json"], environment: environment)
        return (try? JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [[String: Any]]) ?? []
    }

    func states() async throws -> [String] { try await status().map { $0["state"] as? String ?? "?" } }

    /// Every target mailbox holds exactly its source's messages (no duplicate, none missing).
    func expectExact(_ indices: ClosedRange<Int>) async throws {
        for index in indices {
            let source = try await snapshot(of: pair.source, user: Self.source(index), password: sourcePassword)
            let target = try await snapshot(of: pair.target, user: Self.target(index), password: targetPassword)
            let facts: ([MessageFacts]) -> [String] = { list in
                list.map { "\($0.sha256) \($0.size) \($0.flags.sorted()) \($0.internalDateSeconds)" }.sorted()
            }
            #expect(
                facts(target) == facts(source),
                "\(Self.source(index)) → \(Self.target(index)) exactly: \(target.count) of \(source.count) messages")
        }
    }
}

@Suite("mailferry worker: many workers over PostgreSQL", .serialized)
struct WorkerTests {
    @Test(
        "three workers, 30 mailboxes, one worker SIGKILLed mid-job: its jobs are taken over, every job done once, every target exact"
    )
    func threeWorkersOneKilled() async throws {
        let fixture = try await WorkerFixture.start(mailboxes: 30, messagesPerFolder: 2)
        defer { fixture.stop() }
        let submitted = try await fixture.submit()
        #expect(submitted.status == 0, "\(submitted.stderr)")
        #expect(submitted.stderr.contains("30 job(s) queued"), "\(submitted.stderr)")
        // The doomed worker goes first and slowly, so it is surely mid-job when killed.
        let doomed = try fixture.worker("w1", environment: ["MAILFERRY_TEST_PACE_MS": "500"])
        #expect(
            await waitUntil {
                (try? await fixture.status())?.contains {
                    $0["worker"] as? String == "w1" && $0["state"] as? String == "migrating"
                } == true
            }, "\(doomed.stderr)")
        let others = [try fixture.worker("w2"), try fixture.worker("w3")]
        kill(doomed.process.processIdentifier, SIGKILL)
        _ = await doomed.waitForExit(within: 90)
        let held = try await fixture.status().filter {
            $0["worker"] as? String == "w1" && ["checking", "migrating", "verifying"].contains($0["state"] as? String)
        }
        #expect(!held.isEmpty, "w1 died holding jobs")
        let finished = await waitUntil(timeout: 240) {
            (try? await fixture.states())?.allSatisfy { $0 == "done" } == true
        }
        let states = try await fixture.states()
        #expect(finished, "\(states) \(others.map(\.stderr))")
        let jobs = try await fixture.status()
        #expect(jobs.count == 30)
        for job in jobs {
            #expect(job["passes"] as? Int == 1, "done once: \(job)")
        }
        let heldIDs = Set(held.compactMap { $0["id"] as? Int })
        let takenOver = jobs.filter { heldIDs.contains($0["id"] as? Int ?? -1) }
        #expect(takenOver.allSatisfy { ["w2", "w3"].contains($0["worker"] as? String) }, "\(takenOver)")
        #expect(Set(jobs.compactMap { $0["worker"] as? String }).isSuperset(of: ["w2", "w3"]), "both workers worked")
        try await fixture.expectExact(1...30)
        let taken = others.map(\.stderr).joined()
        #expect(taken.contains("the lease of worker w1 ran out"), "the takeover is logged: \(taken)")
        for worker in others { kill(worker.process.processIdentifier, SIGTERM) }
        for worker in others {
            let (status, seconds) = await worker.waitForExit(within: 90)
            #expect(status == 130 && seconds < 30, "an idle worker drains at once: \(worker.stderr)")
        }
        let listing = try await MailferryBinary.run(
            ["batch", "status", "--db", fixture.postgres.url], environment: fixture.environment)
        #expect(listing.stdout.contains("acme  jobs: 30 done"), "\(listing.stdout)")
        #expect(listing.stdout.contains("w2  stopped") && listing.stdout.contains("w3  stopped"), "\(listing.stdout)")
    }

    @Test(
        "a pause from another process reaches the worker's running job at once; SIGTERM drains the worker and leaves no job claimed; another worker finishes them exactly"
    )
    func pauseAndDrain() async throws {
        let fixture = try await WorkerFixture.start(mailboxes: 2, messagesPerFolder: 12, largeMessageBytes: 1_000_000)
        defer { fixture.stop() }
        let submitted = try await fixture.submit()
        #expect(submitted.status == 0, "\(submitted.stderr)")
        let paced = ["MAILFERRY_TEST_PACE_MS": "400"]
        var worker = try fixture.worker("solo", concurrency: 2, environment: paced)
        #expect(
            await waitUntil { (try? await fixture.states())?.allSatisfy { $0 == "migrating" } == true },
            "\(worker.stderr)")
        let asked = Date()
        let pause = try await MailferryBinary.run(
            ["batch", "pause", "acme", "--db", fixture.postgres.url], environment: fixture.environment)
        #expect(pause.status == 0, "\(pause.stderr)")
        #expect(await worker.waitForStderr("pause asked", timeout: 10), "\(worker.stderr)")
        let heard = Date().timeIntervalSince(asked)
        print("worker-pause: the worker heard the pause \(String(format: "%.2f", heard)) s after it was asked")
        // The pace holds pool threads in every pull commit; the worker hears on its own thread.
        #expect(heard < 2, "heard within seconds, not at the next poll")
        #expect(await waitUntil(timeout: 30) { (try? await fixture.states()) == ["paused", "paused"] })

        let resume = try await MailferryBinary.run(
            ["batch", "resume", "acme", "--db", fixture.postgres.url, "--detach"], environment: fixture.environment)
        #expect(resume.status == 0, "\(resume.stderr)")
        #expect(
            await waitUntil { (try? await fixture.states())?.allSatisfy { $0 == "migrating" } == true },
            "the resumed jobs wake the idle worker: \(worker.stderr)")
        kill(worker.process.processIdentifier, SIGTERM)
        let (status, seconds) = await worker.waitForExit(within: 90)
        #expect(status == 130, "drained, stopped by the user: \(worker.stderr)")
        print("worker-drain: SIGTERM to exit \(String(format: "%.1f", seconds)) s")
        #expect(try await fixture.states() == ["queued", "queued"], "given back to the queue, none left claimed")
        let listing = try await MailferryBinary.run(
            ["batch", "status", "--db", fixture.postgres.url], environment: fixture.environment)
        #expect(listing.stdout.contains("solo  stopped"), "\(listing.stdout)")

        worker = try fixture.worker("solo", concurrency: 2)
        #expect(
            await waitUntil(timeout: 120) { (try? await fixture.states()) == ["done", "done"] }, "\(worker.stderr)")
        try await fixture.expectExact(1...2)
        kill(worker.process.processIdentifier, SIGTERM)
        _ = await worker.waitForExit(within: 90)
    }

    @Test(
        "workers sharing one store: a job taken over from a killed worker resumes from its manifest, no message stored or appended twice"
    )
    func sharedStoreResumes() async throws {
        let fixture = try await WorkerFixture.start(mailboxes: 1, messagesPerFolder: 12, largeMessageBytes: 1_000_000)
        defer { fixture.stop() }
        let submitted = try await fixture.submit()
        #expect(submitted.status == 0, "\(submitted.stderr)")
        let shared = fixture.directory.file("shared-store")
        func worker(_ name: String, _ extra: [String: String]) throws -> RunningMailferry {
            fixture.started.add(
                try RunningMailferry(
                    [
                        "worker", "--db", fixture.postgres.url, "--store", shared, "--name", name, "--lease-seconds",
                        "6", "--ca-file", try fixture.caFile(),
                    ], environment: fixture.environment.merging(extra) { $1 }))
        }
        let doomed = try worker("first", ["MAILFERRY_TEST_PACE_MS": "1500"])
        // Killed once the pull has committed messages (a commit moves them into a Maildir `cur`).
        let storeJob = try #require(try await fixture.status().first?["storeJob"] as? String)
        let maildir = StoreLayout(storeRoot: shared, job: storeJob).maildir
        func committed() -> Int {
            let files = FileManager.default.enumerator(atPath: maildir)?.allObjects as? [String] ?? []
            return files.filter { $0.contains("cur/") }.count
        }
        #expect(await waitUntil { committed() > 0 }, "\(doomed.stderr)")
        kill(doomed.process.processIdentifier, SIGKILL)
        _ = await doomed.waitForExit(within: 90)
        #expect(try await fixture.states() == ["migrating"], "killed mid-job")
        let second = try worker("second", [:])
        #expect(
            await waitUntil(timeout: 120) { (try? await fixture.states()) == ["done"] }, "\(second.stderr)")
        let job = try #require(try await fixture.status().first)
        #expect(job["worker"] as? String == "second")
        let history = try await MailferryBinary.run(["history", "--store", shared, "--job", storeJob, "--json"])
        let entries = (try? JSONSerialization.jsonObject(with: Data(history.stdout.utf8)) as? [[String: Any]]) ?? []
        let runs = entries.compactMap { $0["run"] as? [String: Any] }.filter { $0["kind"] as? String == "migrate" }
        #expect(
            runs.map { $0["outcome"] as? String ?? "?" } == ["interrupted", "done"],
            "the killed run, then the one that finished: \(history.stdout)")
        // The second worker went on with the first one's pass (its log says so) and stored no
        // message twice: the Maildir holds each source message once.
        let logs = (FileManager.default.enumerator(atPath: shared)?.allObjects as? [String] ?? [])
            .filter { $0.hasSuffix(".log") && $0.contains(storeJob) }
            .compactMap { try? String(contentsOfFile: "\(shared)/\($0)", encoding: .utf8) }.joined()
        #expect(logs.contains("resuming an interrupted run"), "resumed from the manifest")
        let total = try await snapshot(
            of: fixture.pair.source, user: WorkerFixture.source(1), password: sourcePassword
        ).count
        #expect(committed() == total, "\(committed()) files for \(total) messages")
        print("worker-shared-store: resumed the interrupted pass; \(committed()) files for \(total) messages")
        try await fixture.expectExact(1...1)
        kill(second.process.processIdentifier, SIGTERM)
        _ = await second.waitForExit(within: 90)
    }

    @Test("worker refuses a missing --db, a missing shared key, and a key other than the database's")
    func refusals() async throws {
        let postgres = try await PostgresServer.start()
        defer { postgres.stop() }
        let directory = try TemporaryDirectory()
        let noDB = try await MailferryBinary.run(["worker", "--store", directory.path])
        #expect(noDB.status == 2 && noDB.stderr.contains("--db"), "\(noDB.stderr)")
        let noKey = try await MailferryBinary.run(["worker", "--db", postgres.url, "--store", directory.path])
        #expect(noKey.status == 2 && noKey.stderr.contains("MAILFERRY_SECRET_KEY"), "\(noKey.stderr)")
        let first = String(repeating: "ab", count: 32), second = String(repeating: "cd", count: 32)
        let status = try await MailferryBinary.run(
            ["batch", "status", "--db", postgres.url], environment: ["MAILFERRY_SECRET_KEY": first])
        #expect(status.status == 0 && status.stdout.contains("none has registered"), "\(status.stdout)\(status.stderr)")
        let wrong = try await MailferryBinary.run(
            ["worker", "--db", postgres.url, "--store", directory.path], environment: ["MAILFERRY_SECRET_KEY": second])
        #expect(wrong.status != 0 && wrong.stderr.contains("not the key"), "\(wrong.stderr)")
        #expect(!wrong.stderr.contains(second) && !wrong.stderr.contains(first))
        let withPassword = try await MailferryBinary.run(
            ["worker", "--db", "postgres://u:hunter2@127.0.0.1:1/x", "--store", directory.path],
            environment: ["MAILFERRY_SECRET_KEY": first])
        #expect(withPassword.status == 2 && !withPassword.stderr.contains("hunter2"), "\(withPassword.stderr)")
        let port = 1  // privileged and unused here: the connection is refused
        let began = Date()
        let unreachable = try await MailferryBinary.run(
            ["worker", "--db", "postgres://mailferry@127.0.0.1:\(port)/x", "--store", directory.path],
            environment: ["MAILFERRY_SECRET_KEY": first])
        #expect(unreachable.status == 3 && unreachable.stderr.contains("127.0.0.1:\(port)/x: connect failed"))
        #expect(unreachable.stderr.contains("refused"), "\(unreachable.stderr)")
        #expect(Date().timeIntervalSince(began) < 30, "said at once, not retried forever")
    }

    @Test("a worker whose database went away still drains on SIGTERM and exits")
    func databaseGone() async throws {
        let postgres = try await PostgresServer.start()
        let directory = try TemporaryDirectory()
        let environment = ["MAILFERRY_SECRET_KEY": String(repeating: "ef", count: 32)]
        let worker = try RunningMailferry(
            ["worker", "--db", postgres.url, "--store", directory.path, "--name", "orphan"], environment: environment)
        defer { if worker.process.isRunning { kill(worker.process.processIdentifier, SIGKILL) } }
        #expect(await worker.waitForStderr("job(s) at a time", timeout: 30), "\(worker.stderr)")
        postgres.stop()
        try await Task.sleep(for: .seconds(1))
        kill(worker.process.processIdentifier, SIGTERM)
        let (status, seconds) = await worker.waitForExit(within: 90)
        print("worker-database-gone: SIGTERM to exit \(String(format: "%.1f", seconds)) s")
        #expect(status == 130 && seconds < 60, "\(worker.stderr)")
        #expect(worker.stderr.contains("draining") && worker.stderr.contains("stopped"), "\(worker.stderr)")
    }
}

extension RunningMailferry {
    /// Waits for the exit, at most `seconds`: a worker that does not end is killed (-9) and the
    /// status is 137, so a hang fails the test instead of holding the whole run.
    func waitForExit(within seconds: TimeInterval) async -> (status: Int32, seconds: TimeInterval) {
        let pid = process.processIdentifier
        let watchdog = Task {
            try await Task.sleep(for: .seconds(seconds))
            kill(pid, SIGKILL)
        }
        defer { watchdog.cancel() }
        let outcome = await waitForExit(since: Date())
        return (endedBySignal ? 128 + outcome.status : outcome.status, outcome.seconds)
    }
}

final class StartedProcesses: @unchecked Sendable {
    private let lock = NSLock()
    private var all: [RunningMailferry] = []

    func add(_ process: RunningMailferry) -> RunningMailferry {
        lock.withLock { all.append(process) }
        return process
    }

    func killAll() {
        for running in lock.withLock({ all }) where running.process.isRunning {
            kill(running.process.processIdentifier, SIGKILL)
        }
    }
}
