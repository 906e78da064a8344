import DovecotHarness
import Foundation
import MailCorpus
import Testing

/// A batch of real mailboxes between two Dovecots, run from the binary.
struct BatchFixture {
    let pair: DovecotPair
    let directory: TemporaryDirectory
    let csv: String
    static let bobPassword = "Bob-Passw0rd1"

    var store: String { directory.file("store") }
    var targetServer: String { "imaps://\(pair.target.host):\(pair.target.imapsPort)" }

    /// alice → carol and bob → dave with generated mail; a third row whose source password is wrong.
    static func start(messagesPerFolder: Int = 4, largeMessageBytes: Int? = nil) async throws -> BatchFixture {
        let pair = try await DovecotPair.launch(
            source: DovecotConfiguration(users: [
                DovecotUser(name: "alice", password: sourcePassword), DovecotUser(name: "bob", password: bobPassword),
            ]),
            target: DovecotConfiguration(users: [
                DovecotUser(name: "carol", password: targetPassword),
                DovecotUser(name: "dave", password: targetPassword),
            ]))
        let directory = try TemporaryDirectory()
        for (user, password, seed) in [("alice", sourcePassword, UInt64(1)), ("bob", bobPassword, UInt64(2))] {
            let client = try await pair.source.connectedClient(user: user, password: password)
            let folders = try CorpusGenerator(
                spec: CorpusSpec(
                    messagesPerFolder: messagesPerFolder, largeMessageBytes: largeMessageBytes, seed: seed),
                scratchDirectory: directory.path
            ).folders()
            _ = try await CorpusLoader(client: client).load(folders, separator: ".")
            await client.logout()
        }
        let host = pair.source.host, port = pair.source.imapsPort
        let csv = directory.file("acme.csv")
        try """
        source_server,source_user,source_password,source_port,source_tls,target_user,target_password,create_mailbox
        \(host),alice,\(sourcePassword),\(port),true,carol,\(targetPassword),false
        \(host),bob,\(bobPassword),\(port),true,dave,\(targetPassword),false
        \(host),bob,Wrong-Passw0rd,\(port),true,erin,\(targetPassword),false

        """.write(toFile: csv, atomically: true, encoding: .utf8)
        return BatchFixture(pair: pair, directory: directory, csv: csv)
    }

    func stop() { pair.stop() }

    func caFile() throws -> String { try pair.combinedCAFile(in: directory.path) }

    func arguments(_ command: String, _ extra: [String] = []) throws -> [String] {
        ["batch", command] + extra + ["--store", store]
    }

    func run(_ extra: [String] = [], environment: [String: String] = [:]) async throws -> MailferryBinary.Outcome {
        try await MailferryBinary.run(
            [
                "batch", "run", csv, "--store", store, "--target-server", targetServer, "--ca-file", try caFile(),
                "--concurrency", "2", "--json",
            ] + extra, environment: environment)
    }

    func status() async throws -> [[String: Any]] {
        let outcome = try await MailferryBinary.run(["batch", "status", "acme", "--store", store, "--json"])
        return (try? JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [[String: Any]]) ?? []
    }

    /// The messages of an account, folder names left out (the target maps them).
    func messages(on server: DovecotServer, user: String, password: String) async throws -> [String] {
        try await snapshot(of: server, user: user, password: password)
            .map { "\($0.sha256) \($0.size) \($0.flags.sorted()) \($0.internalDateSeconds)" }.sorted()
    }

    func expectExact() async throws {
        #expect(
            try await messages(on: pair.target, user: "carol", password: targetPassword)
                == (try await messages(on: pair.source, user: "alice", password: sourcePassword)),
            "alice → carol exactly")
        #expect(
            try await messages(on: pair.target, user: "dave", password: targetPassword)
                == (try await messages(on: pair.source, user: "bob", password: Self.bobPassword)), "bob → dave exactly")
    }
}

func state(_ jobs: [[String: Any]], _ source: String, target: String) -> [String: Any] {
    jobs.first { $0["sourceUser"] as? String == source && $0["targetUser"] as? String == target } ?? [:]
}

@Suite("batch run against two real Dovecots", .serialized)
struct BatchRunTests {
    @Test("every job migrated and verified, the bad login failed with its class; a second run copies only new mail")
    func runAndDifferentialPass() async throws {
        let fixture = try await BatchFixture.start()
        defer { fixture.stop() }
        let first = try await fixture.run()
        #expect(first.status == 1, "one job fails: \(first.stderr)")
        var jobs = try await fixture.status()
        #expect(state(jobs, "alice", target: "carol")["state"] as? String == "done")
        #expect(state(jobs, "bob", target: "dave")["state"] as? String == "done")
        #expect(state(jobs, "bob", target: "erin")["state"] as? String == "failed")
        #expect(state(jobs, "bob", target: "erin")["failureKind"] as? String == "auth")
        try await fixture.expectExact()
        let copied = (state(jobs, "alice", target: "carol")["messages"] as? Int) ?? 0
        #expect(copied > 0)

        _ = try fixture.pair.source.save(
            user: "alice", folder: "INBOX",
            message: Data("Message-ID: <new@batch.test>\r\nSubject: after the MX switch\r\n\r\nnew\r\n".utf8))
        let second = try await fixture.run()
        #expect(second.status == 1, "\(second.stderr)")
        jobs = try await fixture.status()
        #expect(
            state(jobs, "alice", target: "carol")["messages"] as? Int == 1,
            "the differential pass copies the new message only")
        #expect(state(jobs, "bob", target: "dave")["messages"] as? Int == 0)
        #expect(state(jobs, "alice", target: "carol")["passes"] as? Int == 2)
        try await fixture.expectExact()

        let everything = fileTree(fixture.store).compactMap {
            try? Data(contentsOf: URL(fileURLWithPath: fixture.store + "/" + $0))
        }
        #expect(everything.count > 10, "the store's files were read")
        for password in [sourcePassword, targetPassword, BatchFixture.bobPassword, "Wrong-Passw0rd"] {
            #expect(
                !everything.contains { $0.range(of: Data(password.utf8)) != nil },
                "\(password.prefix(3))…: in no store file")
            #expect(!(first.stdout + first.stderr + second.stdout).contains(password))
        }
        let zip = fixture.directory.file("logs.zip")
        let logs = try await MailferryBinary.run(["batch", "logs", "acme", "-o", zip, "--store", fixture.store])
        #expect(logs.status == 0, "\(logs.stderr)")
        let listing = try await ProcessRunner.runDetached(
            "python3",
            ["-c", "import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); print('\\n'.join(z.namelist()))", zip]
        ).stdout.split(separator: "\n").map(String.init)
        #expect(listing.filter { $0.hasPrefix("batch/") }.count == 2, "one batch log per run: \(listing)")
        for job in ["alice@127.0.0.1--to--carol", "bob@127.0.0.1--to--dave"] {
            #expect(listing.contains { $0.hasPrefix(job + "/") && $0.contains("-migrate-") }, "\(job): \(listing)")
            #expect(listing.contains { $0.hasPrefix(job + "/") && $0.contains("-verify-") })
        }
        let names = listing.map { String($0.split(separator: "/").last ?? "") }
        #expect(names == names.sorted(), "oldest first, newest last")
        let zipBytes = try Data(contentsOf: URL(fileURLWithPath: zip))
        let contents = try await ProcessRunner.runDetached(
            "python3",
            [
                "-c",
                "import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); sys.stdout.write(''.join(z.read(n).decode('utf-8', 'replace') for n in z.namelist()))",
                zip,
            ]
        ).stdout
        #expect(contents.contains("done"), "the logs say what happened")
        for password in [sourcePassword, targetPassword, BatchFixture.bobPassword, "Wrong-Passw0rd"] {
            #expect(!contents.contains(password) && zipBytes.range(of: Data(password.utf8)) == nil)
        }
        let again = try await MailferryBinary.run(["batch", "logs", "acme", "-o", zip, "--store", fixture.store])
        #expect(again.status == 2 && again.stderr.contains("exists"))
        // The differential pass without the file, from the kept credentials.
        _ = try fixture.pair.source.save(
            user: "bob", folder: "INBOX",
            message: Data("Message-ID: <rerun@batch.test>\r\nSubject: later\r\n\r\nlater\r\n".utf8))
        let rerun = try await MailferryBinary.run(
            ["batch", "rerun", "acme", "--store", fixture.store, "--ca-file", try fixture.caFile(), "--json"])
        #expect(rerun.status == 1, "\(rerun.stderr)")
        jobs = try await fixture.status()
        #expect(
            state(jobs, "bob", target: "dave")["messages"] as? Int == 1
                && state(jobs, "alice", target: "carol")["messages"] as? Int == 0)
        try await fixture.expectExact()
        let closed = try await MailferryBinary.run(["batch", "close", "acme", "--store", fixture.store])
        #expect(closed.status == 0)
        let resumed = try await MailferryBinary.run(
            ["batch", "resume", "acme", "--store", fixture.store, "--ca-file", try fixture.caFile()])
        #expect(resumed.status == 0 || resumed.status == 1, "\(resumed.stderr)")
        let afterClose = try await MailferryBinary.run(["batch", "rerun", "acme", "--store", fixture.store])
        #expect(afterClose.status == 2 && afterClose.stderr.contains("closed"), "\(afterClose.stderr)")
    }

    @Test("paused from another terminal within seconds, SIGKILLed, resumed: every job exactly once")
    func pauseKillResume() async throws {
        let fixture = try await BatchFixture.start(messagesPerFolder: 12, largeMessageBytes: 1_000_000)
        defer { fixture.stop() }
        // Paced, so the jobs are still running when the pause (a new process) arrives on a loaded machine.
        let paced = ["MAILFERRY_TEST_PACE_MS": "400"]
        var run = try RunningMailferry(
            [
                "batch", "run", fixture.csv, "--store", fixture.store, "--target-server", fixture.targetServer,
                "--ca-file", try fixture.caFile(), "--concurrency", "2",
            ], environment: paced)
        #expect(
            await waitUntil {
                (try? await fixture.status())?.contains { $0["state"] as? String == "migrating" } == true
            }, "\(run.stderr)")
        let asked = Date()
        let pause = try await MailferryBinary.run(["batch", "pause", "acme", "--store", fixture.store])
        #expect(pause.status == 0, "\(pause.stderr)")
        let (status, _) = await run.waitForExit(since: asked)
        #expect(Date().timeIntervalSince(asked) < 5, "paused within seconds")
        #expect(status == 130 || status == 1, "paused jobs end the run: \(run.stderr)")
        let paused = try await fixture.status()
        #expect(paused.contains { $0["state"] as? String == "paused" }, "\(paused.map { $0["state"] ?? "?" })")
        #expect(!paused.contains { ["migrating", "checking", "verifying"].contains($0["state"] as? String ?? "") })

        run = try RunningMailferry(
            [
                "batch", "resume", "acme", "--store", fixture.store, "--ca-file", try fixture.caFile(), "--concurrency",
                "2",
            ],
            environment: paced)
        #expect(
            await waitUntil {
                (try? await fixture.status())?.contains { $0["state"] as? String == "migrating" } == true
            })
        kill(run.process.processIdentifier, SIGKILL)
        _ = await run.waitForExit(since: Date())
        #expect((try await fixture.status()).contains { $0["state"] as? String == "migrating" }, "killed mid-job")

        let resumed = try await MailferryBinary.run(
            ["batch", "resume", "acme", "--store", fixture.store, "--ca-file", try fixture.caFile(), "--json"])
        #expect(resumed.status == 1, "only the bad login fails: \(resumed.stderr)")
        let jobs = try await fixture.status()
        #expect(state(jobs, "alice", target: "carol")["state"] as? String == "done")
        #expect(state(jobs, "bob", target: "dave")["state"] as? String == "done")
        try await fixture.expectExact()
    }
}

@Suite("batch progress while it runs")
struct BatchProgressTests {
    @Test(
        "on a terminal the running jobs are a table redrawn in place; another terminal's status sees their progress grow; none is left after"
    )
    func liveTable() async throws {
        let fixture = try await BatchFixture.start(messagesPerFolder: 6)
        defer { fixture.stop() }
        let script = HelperServer.script("run-in-pty.py")
        let arguments = [
            MailferryBinary.path, "batch", "run", fixture.csv, "--store", fixture.store, "--target-server",
            fixture.targetServer, "--ca-file", try fixture.caFile(), "--concurrency", "2",
        ]
        // Each commit group waits 1.5 s, so a job runs for several of the table's one-second
        // redraws and several polls even when a loaded machine slows both down (at 500 ms a
        // job could end between two polls and before any redraw showed its count).
        async let terminal = ProcessRunner.runDetached(
            "/usr/bin/python3", [script] + arguments, environment: ["MAILFERRY_TEST_PACE_MS": "1500"])
        var seen: [String: [Int]] = [:]
        var totals: [String: Int] = [:]
        _ = await waitUntil(timeout: 90) {
            let jobs = (try? await fixture.status()) ?? []
            for job in jobs {
                guard let progress = job["progress"] as? [String: Any], let user = job["sourceUser"] as? String,
                    let done = progress["messagesDone"] as? Int
                else { continue }
                seen[user, default: []].append(done)
                totals[user] = progress["messagesTotal"] as? Int
            }
            return !jobs.isEmpty
                && jobs.allSatisfy {
                    ($0["state"] as? String).map {
                        !["queued", "checking", "provisioning", "migrating", "verifying"].contains($0)
                    } ?? false
                }
        }
        let output = try await terminal
        #expect(output.status == 1, "the bad login fails: \(output.stdout.suffix(2000))")
        let screen = output.stdout
        #expect(screen.contains("Progress"), "the live table's header: \(screen.suffix(3000))")
        #expect(screen.contains("\u{1B}[J"), "redrawn in place")
        #expect(screen.range(of: "\u{1B}\\[[0-9]+A", options: .regularExpression) != nil, "the cursor moves up over it")
        #expect(
            screen.range(of: "\\[#+\\.*\\] +[0-9]+%", options: .regularExpression) != nil, "a bar with a percentage")
        #expect(screen.contains("running:"), "the totals line")
        for user in ["alice", "bob"] where seen[user] != nil {
            #expect(seen[user]! == seen[user]!.sorted(), "\(user)'s progress never goes back: \(seen[user]!)")
        }
        // The count grows between two readings of the store: seen by the polling `batch status`
        // above or, when a loaded machine slows the polls down, by the table's own redraws.
        var drawn: [String: [Int]] = [:]
        for line in screen.split(whereSeparator: { $0 == "\n" || $0 == "\r" }) {
            let fields = line.split(separator: " ")
            // A job's line starts with its CSV line number (the totals line with "jobs:").
            guard fields.count > 4, Int(fields[0]) != nil, let user = fields.dropFirst().first.map(String.init),
                let pair = fields.first(where: { $0.contains("/") && $0.split(separator: "/").count == 2 }),
                let done = Int(pair.split(separator: "/")[0])
            else { continue }
            drawn[user, default: []].append(done)
        }
        let grew = (Array(seen.values) + Array(drawn.values)).contains { Set($0).count > 1 }
        #expect(grew, "a job's count grew between readings: polled \(seen), drawn \(drawn)")
        #expect(totals.values.allSatisfy { $0 > 0 }, "\(totals)")
        #expect(!seen.isEmpty, "another process saw the running jobs' progress")
        let after = try await fixture.status()
        #expect(after.allSatisfy { $0["progress"] == nil }, "no progress left on ended jobs")
        try await fixture.expectExact()
    }
}

/// Polls `condition` (off the cooperative pool's hot path) for up to `timeout` seconds.
func waitUntil(timeout: TimeInterval = 60, _ condition: () async -> Bool) async -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(300))
    }
    return false
}

@Suite("batch mailbox creation through the command provisioner")
struct BatchProvisioningTests {
    @Test(
        "a missing mailbox is created (password only in the environment), an existing one left alone, a refusal fails only its job"
    )
    func commandProvisioner() async throws {
        let fixture = try await BatchFixture.start()
        defer { fixture.stop() }
        let target = fixture.pair.target
        let owner = target.mailOwner
        let script = fixture.directory.file("make-mailbox.sh")
        // Adds a passwd-file user to the running target Dovecot, as a hosting panel's script would.
        try """
        #!/bin/sh
        set -e
        case "$MAILFERRY_MAILBOX" in refuse*) echo "quota for new mailboxes exhausted ($MAILFERRY_MAILBOX_PASSWORD)" >&2; exit 1;; esac
        grep -q "^$MAILFERRY_MAILBOX:" \(target.usersFile) && exit 3
        mkdir -p \(target.homeRoot)/$MAILFERRY_MAILBOX
        chown \(owner.uid):\(owner.gid) \(target.homeRoot)/$MAILFERRY_MAILBOX
        echo "$MAILFERRY_MAILBOX:{PLAIN}$MAILFERRY_MAILBOX_PASSWORD:\(owner.uid):\(owner.gid)::\(target.homeRoot)/$MAILFERRY_MAILBOX::" >> \(target.usersFile)
        echo "$@" > \(fixture.directory.file("arguments"))

        """.write(toFile: script, atomically: true, encoding: .utf8)
        chmod(script, 0o755)
        let configuration = fixture.directory.file("provisioner.json")
        try #"{"type": "command", "command": ["\#(script)", "--quiet"]}"#.write(
            toFile: configuration, atomically: true, encoding: .utf8)
        let host = fixture.pair.source.host, port = fixture.pair.source.imapsPort
        let csv = fixture.directory.file("create.csv")
        try """
        \(host),alice,\(sourcePassword),\(port),true,frank,New-Mailb0x-Pass,true
        \(host),bob,\(BatchFixture.bobPassword),\(port),true,carol,\(targetPassword),true
        \(host),bob,\(BatchFixture.bobPassword),\(port),true,refused,New-Mailb0x-Pass,true

        """.write(toFile: csv, atomically: true, encoding: .utf8)
        let outcome = try await MailferryBinary.run([
            "batch", "run", csv, "--store", fixture.store, "--target-server", fixture.targetServer, "--ca-file",
            try fixture.caFile(), "--provisioner", configuration, "--json",
        ])
        #expect(outcome.status == 1, "one job fails: \(outcome.stderr)")
        let jobs = try #require(try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [[String: Any]])
        #expect(state(jobs, "alice", target: "frank")["state"] as? String == "done", "\(jobs)")
        #expect(state(jobs, "bob", target: "carol")["state"] as? String == "done", "carol existed")
        let refused = state(jobs, "bob", target: "refused")
        #expect(refused["state"] as? String == "failed" && refused["failureKind"] as? String == "provisioning")
        #expect(
            (refused["lastError"] as? String)?.contains("quota for new mailboxes exhausted (********)") == true,
            "\(refused)")
        #expect(
            try await fixture.messages(on: target, user: "frank", password: "New-Mailb0x-Pass")
                == (try await fixture.messages(on: fixture.pair.source, user: "alice", password: sourcePassword)))
        #expect(
            try String(contentsOfFile: fixture.directory.file("arguments"), encoding: .utf8) == "--quiet\n",
            "no secret in argv")
        #expect(!(outcome.stdout + outcome.stderr).contains("New-Mailb0x-Pass"))
    }
}
