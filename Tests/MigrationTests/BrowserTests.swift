import DovecotHarness
import Foundation
import MailCorpus
import TestSupport
import Testing

/// `mailferry serve` running for real, for a browser to talk to.
final class RunningServe: @unchecked Sendable {
    let process = Process()
    let url: String

    static func start(_ arguments: [String], environment: [String: String]) async throws -> RunningServe {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try RunningServe(arguments, environment: environment) })
            }
        }
    }

    private init(_ arguments: [String], environment: [String: String]) throws {
        process.executableURL = URL(fileURLWithPath: MailferryBinary.path)
        // Port 0 unless the arguments name one: serve says the port it bound once it listens.
        let listen = arguments.contains("--listen") ? [] : ["--listen", "127.0.0.1:0"]
        process.arguments = ["serve"] + listen + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = FileHandle.nullDevice
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        var line = ""
        // Until the line saying where it listens (a warning may come first), or the end.
        while !(line.range(of: "serving ").map { line[$0.upperBound...].contains("\n") } ?? false) {
            let chunk = errors.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line += String(decoding: chunk, as: UTF8.self)
        }
        guard let range = line.range(of: "serving ") else {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            throw CommandError(arguments: ["serve"], status: -1, stderr: line)
        }
        url = String(line[range.upperBound...].prefix { !$0.isNewline })
        // Keep reading stderr, so a chatty serve never blocks on a full pipe.
        Thread.detachNewThread { while !errors.fileHandleForReading.availableData.isEmpty {} }
    }

    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitForExit()
    }
}

@Suite("serve in a real headless Chromium", .serialized)
struct BrowserTests {
    @Test(
        "filled by its labels, errors shown, two mailboxes submitted, followed live through pause and resume to done, logs downloaded; the target checked apart"
    )
    func formToDone() async throws {
        let fixture = try await BatchFixture.start(messagesPerFolder: 5)
        defer { fixture.stop() }
        try await fixture.addEmailAccounts(seed: 10)
        let serve = try await RunningServe.start(
            [
                "--store", fixture.store, "--target-server", fixture.targetServer, "--ca-file", try fixture.caFile(),
                "--concurrency", "2",
            ], environment: ["MAILFERRY_TEST_PACE_MS": "300"])
        defer { serve.stop() }
        let screenshots = ProcessInfo.processInfo.environment["MAILFERRY_SCREENSHOTS"] ?? fixture.directory.path
        let script = HelperServer.script("browser-check.py")
        let run = try await ProcessRunner.runDetached(
            "/usr/bin/python3",
            [
                script, serve.url, screenshots, fixture.pair.source.host, "\(fixture.pair.source.imapsPort)",
                "ann@example.test", "ben@example.test",
            ],
            environment: ProcessInfo.processInfo.environment.merging([
                "SOURCE_PASSWORD": sourcePassword, "TARGET_PASSWORD": targetPassword,
            ]) { $1 })
        let summary = try #require(
            try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any],
            "\(run.stdout)\(run.stderr)")
        #expect(summary["error"] == nil, "\(summary["error"] ?? "") \(summary["page"] ?? "")")
        #expect(summary["steps"] as? [String] == ["form", "errors", "submitted", "paused", "done", "logs"])
        let errors = summary["errors"] as? [String] ?? []
        #expect(errors.contains { $0.contains("Row 1: IMAP server: empty; it is required") }, "\(errors)")
        #expect(errors.contains { $0.contains("Email address to receive migration results: required") })
        #expect(
            errors.contains {
                $0.contains("Row 1: Destination password: too weak: needs at least 8 characters (it has 4)")
            }, "\(errors)")
        #expect(summary["errorsWithoutRoundTrip"] as? Bool == true, "checked in the page first")
        #expect(summary["describedBy"] as? String == "row1-server-client-error")
        #expect(summary["rows"] as? Int == 2, "+ added a row")
        #expect(summary["sawLiveMigrating"] as? Bool == true, "the page showed migrating without a reload")
        let afterJobPause = summary["afterJobPause"] as? [String] ?? []
        #expect(afterJobPause.first == "paused", "its own Pause button paused the first mailbox: \(afterJobPause)")
        #expect(afterJobPause.last != "paused", "the other went on: \(afterJobPause)")
        #expect((summary["afterPause"] as? [String])?.contains("paused") == true, "\(summary["afterPause"] ?? "")")
        #expect(summary["phoneOverflow"] as? Bool == false, "the status page fits a phone's width")
        #expect(summary["liveToDone"] as? Bool == true, "done arrived through live updates")
        #expect(summary["final"] as? [String] == ["done", "done"])
        #expect(summary["progress"] as? [String] == ["100", "100"])
        let zip = summary["zip"] as? [Any] ?? []
        #expect((zip.first as? Int ?? 0) > 100 && (zip.last as? [Int]) == [80, 75], "a zip (PK…): \(zip)")
        #expect(!(summary["pageText"] as? String ?? "").contains(sourcePassword))
        for name in ["form.png", "form-errors.png", "status.png", "status-phone.png"] {
            #expect(FileManager.default.fileExists(atPath: "\(screenshots)/\(name)"), "\(name)")
        }
        try await fixture.expectEmailAccountsExact()
    }
}

@Suite("serve over HTTPS, killed mid-batch and started again", .serialized)
struct ServeRestartTests {
    @Test(
        "a batch submitted over HTTPS survives a SIGKILL of serve: the restarted serve shows it and finishes every job exactly once"
    )
    func killAndRestart() async throws {
        let fixture = try await BatchFixture.start(messagesPerFolder: 1)
        defer { fixture.stop() }
        try await fixture.addEmailAccounts(seed: 20, messagesPerFolder: 8)
        let target = fixture.pair.target
        let arguments = [
            "--store", fixture.store, "--target-server", fixture.targetServer, "--ca-file", try fixture.caFile(),
            "--concurrency", "2", "--tls-cert", target.certificateFile, "--tls-key", target.keyFile,
        ]
        var serve = try await RunningServe.start(arguments, environment: ["MAILFERRY_TEST_PACE_MS": "400"])
        #expect(serve.url.hasPrefix("https://"))
        let submitted = try await serve.submit(
            RunningServe.formFields(fixture, users: ["ann@example.test", "ben@example.test"]), caFile: target.caFile,
            scratch: fixture.directory.path)
        let location = submitted.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(location.hasPrefix("/status/"), "\(submitted.stdout)\(submitted.stderr)")
        func states(_ serve: RunningServe) async -> [String] {
            let page = await serve.get(location + "/jobs.json", caFile: target.caFile)
            let object = (try? JSONSerialization.jsonObject(with: Data(page.utf8))) as? [String: Any]
            return (object?["jobs"] as? [[String: Any]])?.compactMap { $0["state"] as? String } ?? []
        }
        #expect(await waitUntil { await states(serve).contains("migrating") }, "a job is migrating")
        serve.stop()  // SIGKILL, mid-job
        serve = try await RunningServe.start(arguments, environment: [:])
        defer { serve.stop() }
        let finished = await waitUntil(timeout: 120) { await states(serve) == ["done", "done"] }
        let final = await states(serve)
        #expect(finished, "\(final)")
        try await fixture.expectEmailAccountsExact()
    }
}

/// The web form over HTTPS through `scripts/web-client.py` (passwords on its stdin).
extension RunningServe {
    /// One form row per user of the fixture's source server, with the fixture's passwords.
    static func formFields(_ fixture: BatchFixture, users: [String]) -> [String: String] {
        let host = fixture.pair.source.host, port = fixture.pair.source.imapsPort
        var fields = ["action": "submit", "row_count": "\(users.count)", "report_to": "admin@example.test"]
        for (index, user) in users.enumerated() {
            fields["server_\(index)"] = host
            fields["source_email_\(index)"] = user
            fields["source_password_\(index)"] = sourcePassword
            fields["target_password_\(index)"] = targetPassword
            fields["port_\(index)"] = "\(port)"
            fields["tls_\(index)"] = "on"
        }
        return fields
    }

    /// Loads the form and submits `fields`; stdout is the status page's path.
    func submit(_ fields: [String: String], caFile: String, scratch: String) async throws -> ProcessRunner.Outcome {
        let input = scratch + "/fields-\(UUID().uuidString).json"
        try JSONSerialization.data(withJSONObject: fields).write(to: URL(fileURLWithPath: input))
        return try await ProcessRunner.runDetached(
            "/bin/sh",
            [
                "-c", "/usr/bin/python3 \"$0\" submit \"$1\" \"$2\" < \"$3\"", HelperServer.script("web-client.py"),
                url,
                caFile, input,
            ])
    }

    /// The body at `path` (from "/"), or "" when it cannot be fetched.
    func get(_ path: String, caFile: String) async -> String {
        let address = url + String(path.drop { $0 == "/" })
        return
            (try? await ProcessRunner.runDetached(
                "/usr/bin/python3", [HelperServer.script("web-client.py"), "get", address, caFile]))?.stdout ?? ""
    }

    func download(_ path: String, caFile: String, to file: String) async throws {
        _ = try await ProcessRunner.runDetached(
            "/usr/bin/python3",
            [HelperServer.script("web-client.py"), "download", url + String(path.drop { $0 == "/" }), caFile, file])
    }
}

extension BatchFixture {
    /// ann@example.test and ben@example.test on both servers (the form wants email addresses),
    /// with generated mail at the source.
    func addEmailAccounts(seed: UInt64, messagesPerFolder: Int = 5) async throws {
        for (server, password) in [(pair.source, sourcePassword), (pair.target, targetPassword)] {
            for user in ["ann@example.test", "ben@example.test"] {
                try FileManager.default.createDirectory(
                    atPath: "\(server.homeRoot)/\(user)", withIntermediateDirectories: true,
                    attributes: [.ownerAccountID: server.mailOwner.uid, .groupOwnerAccountID: server.mailOwner.gid])
            }
            try """
            ann@example.test:{PLAIN}\(password):\(server.mailOwner.uid):\(server.mailOwner.gid)::\(server.homeRoot)/ann@example.test::
            ben@example.test:{PLAIN}\(password):\(server.mailOwner.uid):\(server.mailOwner.gid)::\(server.homeRoot)/ben@example.test::

            """.appendLine(to: server.usersFile)
        }
        try await Task.sleep(for: .seconds(1.1))  // Dovecot re-reads its passwd-file once a second at most
        for (index, user) in ["ann@example.test", "ben@example.test"].enumerated() {
            let client = try await pair.source.connectedClient(user: user, password: sourcePassword)
            let folders = try CorpusGenerator(
                spec: CorpusSpec(messagesPerFolder: messagesPerFolder, seed: seed + UInt64(index)),
                scratchDirectory: directory.path
            ).folders()
            _ = try await CorpusLoader(client: client).load(folders, separator: ".")
            await client.logout()
        }
    }

    func expectEmailAccountsExact() async throws {
        for user in ["ann@example.test", "ben@example.test"] {
            #expect(
                try await messages(on: pair.target, user: user, password: targetPassword)
                    == (try await messages(on: pair.source, user: user, password: sourcePassword)),
                "\(user) exactly")
        }
    }
}

extension String {
    /// Appends these lines to a file (the Dovecot passwd-file of a running test server).
    func appendLine(to path: String) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(utf8))
    }
}
