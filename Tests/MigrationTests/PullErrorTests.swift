import DovecotHarness
import Foundation
import IMAPClient
import MailStore
import Migration
import Testing

@Suite("pull reports bad input clearly and loses nothing")
struct PullErrorTests {
    @Test("a second pull of the same job while one runs gets a clear locked error")
    func locked() async throws {
        let fixture = try await PullFixture.start(spec: .init(messagesPerFolder: 1))
        defer { fixture.stop() }
        let layout = fixture.layout()
        try layout.prepare()
        let held = try StoreLock(path: layout.lockFile, job: "alice")
        defer { held.release() }
        await #expect(throws: StoreError.locked(job: "alice", holderPID: getpid())) { try await fixture.pull() }
        let outcome = try await fixture.runPull(store: fixture.store)
        #expect(outcome.status == 2)
        #expect(outcome.stderr.contains("locked"))
    }

    @Test("a wrong password stops with exit code 3 and never echoes it")
    func wrongPassword() async throws {
        let fixture = try await PullFixture.start(spec: .init(messagesPerFolder: 1))
        defer { fixture.stop() }
        let outcome = try await fixture.runPull(
            store: fixture.store, environment: ["MAILFERRY_SOURCE_PASSWORD": "Not-The-Passw0rd"])
        #expect(outcome.status == 3)
        #expect(outcome.stderr.contains("login failed for alice"))
        #expect(!outcome.stderr.contains("Not-The-Passw0rd") && !outcome.stdout.contains("Not-The-Passw0rd"))
    }

    @Test("an unknown host is a connection error, exit code 3")
    func refusedPort() async throws {
        let store = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: store) }
        let outcome = try await MailferryBinary.run(
            ["pull", "--source", "imaps://alice@127.0.0.1:1", "--store", store],
            environment: ["MAILFERRY_SOURCE_PASSWORD": "x"])
        #expect(outcome.status == 3)
        #expect(outcome.stderr.contains("refused"))
        // The job's log says why, and no half-open pass makes the next run "resume" anything.
        let logPath = try #require(fileTree(store).first { $0.hasSuffix(".log") && $0.contains("-pull-") })
        let log = try String(contentsOfFile: store + "/" + logPath, encoding: .utf8)
        let database = store + "/" + (logPath.split(separator: "/").first.map(String.init) ?? "") + "/state.sqlite"
        #expect(log.contains("pull stopped") && log.contains("refused"), "\(log)")
        #expect(try StateDatabase(path: database).passes().isEmpty)
    }

    @Test("a folder that cannot be selected is skipped and reported; the rest is pulled")
    func unselectableFolder() async throws {
        let fixture = try await PullFixture.start(spec: .init(messagesPerFolder: 2))
        defer { fixture.stop() }
        let blocked = fixture.server.maildirPath(of: "alice") + "/Archive/2025"
        #expect(chmod(blocked, 0) == 0)
        let outcome = try await fixture.runPull(store: fixture.store)
        #expect(outcome.status == 1, "exit 1: done with failures\n\(outcome.stdout)\(outcome.stderr)")
        #expect(outcome.stdout.contains("Archive.2025"))
        let summary = try StateDatabase(path: fixture.layout().database).issues(passID: 1)
        #expect(summary.contains { $0.scope == .folder && $0.folder == "Archive.2025" })
        chmod(blocked, 0o700)
        // Once readable again, the next pull completes the copy.
        let again = try await fixture.runPull(store: fixture.store)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try snapshot(of: fixture.layout()) == (try await snapshot(of: fixture.server)))
    }

    @Test("a store that is not writable is refused before anything is fetched")
    func storeNotWritable() async throws {
        let fixture = try await PullFixture.start(spec: .init(messagesPerFolder: 1))
        defer { fixture.stop() }
        let file = fixture.store + "/plain-file"
        FileManager.default.createFile(atPath: file, contents: Data("x".utf8))
        let outcome = try await fixture.runPull(store: file)
        #expect(outcome.status == 2, "a configuration mistake: \(outcome.stderr)")
        #expect(outcome.stderr.contains("not writable"), "\(outcome.stderr)")
        #expect(outcome.stderr.contains(file), "names the path")
    }

    @Test("a full disk stops the pull cleanly; with space again the next run completes it")
    func diskFull() async throws {
        let fixture = try await PullFixture.start(spec: .init(messagesPerFolder: 40))
        defer { fixture.stop() }
        let mountPoint = fixture.store + "/small"
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        try run(["mount", "-t", "tmpfs", "-o", "size=300k", "tmpfs", mountPoint])
        defer { _ = try? run(["umount", "-l", mountPoint]) }
        let outcome = try await fixture.runPull(store: mountPoint)
        #expect(outcome.status == 1, "the job failing, not bad input: \(outcome.stderr)")
        #expect(!outcome.killedBySignal)
        #expect(
            outcome.stderr.lowercased().contains("disk full") || outcome.stderr.contains("No space left"),
            "\(outcome.stderr)")
        try run(["mount", "-o", "remount,size=64m", mountPoint])
        let again = try await fixture.runPull(store: mountPoint)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(
            try snapshot(of: StoreLayout(storeRoot: mountPoint, job: "alice"))
                == (try await snapshot(of: fixture.server)))
    }
}
