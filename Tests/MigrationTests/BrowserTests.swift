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
        let port = Int.random(in: 20_000...60_000)
        process.executableURL = URL(fileURLWithPath: MailferryBinary.path)
        process.arguments = ["serve", "--listen", "127.0.0.1:\(port)"] + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = FileHandle.nullDevice
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        url = "http://127.0.0.1:\(port)/"
        let line = String(decoding: errors.fileHandleForReading.availableData, as: UTF8.self)
        guard line.contains("serving") else {
            kill(process.processIdentifier, SIGKILL)
            throw CommandError(arguments: ["serve"], status: -1, stderr: line)
        }
    }

    func stop() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
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
        // Mailbox names as the form wants them (email addresses) on both servers.
        for (server, password) in [(fixture.pair.source, sourcePassword), (fixture.pair.target, targetPassword)] {
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
        for (seed, user) in ["ann@example.test", "ben@example.test"].enumerated() {
            let client = try await fixture.pair.source.connectedClient(user: user, password: sourcePassword)
            let folders = try CorpusGenerator(
                spec: CorpusSpec(messagesPerFolder: 5, seed: UInt64(seed + 10)),
                scratchDirectory: fixture.directory.path
            ).folders()
            _ = try await CorpusLoader(client: client).load(folders, separator: ".")
            await client.logout()
        }
        let serve = try await RunningServe.start(
            [
                "--store", fixture.store, "--target-server", fixture.targetServer, "--ca-file", try fixture.caFile(),
                "--concurrency", "2",
            ], environment: ["MAILFERRY_TEST_PACE_MS": "300"])
        defer { serve.stop() }
        let screenshots = ProcessInfo.processInfo.environment["MAILFERRY_SCREENSHOTS"] ?? fixture.directory.path
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/browser-check.py").path
        let run = try await ProcessRunner.runDetached(
            "/usr/bin/python3",
            [
                script, serve.url, screenshots, fixture.pair.source.host, "\(fixture.pair.source.imapsPort)",
                "ann@example.test", "ben@example.test", sourcePassword, targetPassword,
            ])
        let summary = try #require(
            try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any],
            "\(run.stdout)\(run.stderr)")
        #expect(summary["error"] == nil, "\(summary["error"] ?? "") \(summary["page"] ?? "")")
        #expect(summary["steps"] as? [String] == ["form", "errors", "submitted", "paused", "done", "logs"])
        let errors = summary["errors"] as? [String] ?? []
        #expect(errors.contains { $0.contains("Row 1: IMAP server: empty; it is required") }, "\(errors)")
        #expect(summary["rows"] as? Int == 2, "+ added a row")
        #expect(summary["sawLiveMigrating"] as? Bool == true, "the page showed migrating without a reload")
        #expect((summary["afterPause"] as? [String])?.contains("paused") == true, "\(summary["afterPause"] ?? "")")
        #expect(summary["liveToDone"] as? Bool == true, "done arrived through live updates")
        #expect(summary["final"] as? [String] == ["done", "done"])
        #expect(summary["progress"] as? [String] == ["100", "100"])
        let zip = summary["zip"] as? [Any] ?? []
        #expect((zip.first as? Int ?? 0) > 100 && (zip.last as? [Int]) == [80, 75], "a zip (PK…): \(zip)")
        #expect(!(summary["pageText"] as? String ?? "").contains(sourcePassword))
        for name in ["form.png", "form-errors.png", "status.png"] {
            #expect(FileManager.default.fileExists(atPath: "\(screenshots)/\(name)"), "\(name)")
        }
        for user in ["ann@example.test", "ben@example.test"] {
            #expect(
                try await fixture.messages(on: fixture.pair.target, user: user, password: targetPassword)
                    == (try await fixture.messages(on: fixture.pair.source, user: user, password: sourcePassword)),
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
