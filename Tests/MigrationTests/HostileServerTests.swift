import Foundation
import TestSupport
import Testing

/// `mailferry pull` against `scripts/hostile-imap.py`, a scripted fake server (on purpose: no
/// real server sends these on demand). Each ends with a clear message and one of the spec's
/// exit codes, never a crash, with the process's peak RSS (GNU time) bounded: unbounded
/// buffering would need 120 MB more for the 500,000 folders and 64 MB more for the endless line.
@Suite("pull against a hostile server (scripted fake)")
struct HostileServerTests {
    /// Peak RSS of a debug build doing a small pull is about 55 MB here.
    static let peakRSSLimitKB = 96 * 1024

    struct Case: Sendable, CustomTestStringConvertible {
        var mode: String
        var status: Int32
        var says: String
        var testDescription: String { mode }
    }

    static let cases: [Case] = [
        Case(mode: "endless-line", status: 3, says: "response line longer than 8388608 bytes"),
        Case(mode: "huge-literal", status: 3, says: "literal of 99999999999 bytes exceeds"),
        Case(mode: "endless-list", status: 3, says: "LIST returned more than 100000 folders"),
        Case(mode: "bye-mid-literal", status: 3, says: "connection lost"),
        Case(mode: "bad-utf7", status: 0, says: "&Jjo!"),
        Case(mode: "escapes", status: 1, says: "\\u{1B}]0;owned"),
    ]

    @Test("a clear error or a finished pull, bounded memory, nothing raw on the terminal", arguments: cases)
    func hostile(_ scenario: Case) async throws {
        let server = try await HelperServer.start("hostile-imap.py", [scenario.mode])
        defer { server.stop() }
        let directory = try TemporaryDirectory()
        let rssFile = directory.file("rss")
        let outcome = try await ProcessRunner.runDetached(
            "/usr/bin/time",
            [
                "-o", rssFile, "-f", "%M", MailferryBinary.path, "pull", "--source",
                "imap://u@127.0.0.1:\(server.port)", "--allow-plaintext", "--store", directory.file("store"),
                "--job", "u", "--retries", "1", "--retry-delay", "0.05", "--timeout", "5", "--progress", "none",
            ],
            environment: ProcessInfo.processInfo.environment.merging(["MAILFERRY_SOURCE_PASSWORD": "x"]) { $1 })
        let output = outcome.stdout + outcome.stderr
        #expect(outcome.status == scenario.status, "\(output.suffix(1500))")
        #expect(output.contains(scenario.says), "\(output.suffix(1500))")
        #expect(!output.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 }, "raw control characters")
        let peakKB =
            Int(
                (try String(contentsOfFile: rssFile, encoding: .utf8)).split(separator: "\n").last
                    .map(String.init)?.trimmingCharacters(in: .whitespaces) ?? "") ?? -1
        #expect(peakKB > 0 && peakKB < Self.peakRSSLimitKB, "peak RSS \(peakKB) KB")
        let leftovers = fileTree(directory.file("store")).filter { $0.contains("/tmp/") }
        #expect(leftovers.isEmpty, "unfinished message files left: \(leftovers)")
    }

    @Test(
        "the pull's other connections are opened while the first logs in, and log in only after it: the fake answers the first LOGIN once all 4 are open, and refuses any LOGIN before that answer"
    )
    func otherConnectionsOpenBesideTheFirstLogin() async throws {
        let server = try await HelperServer.start("hostile-imap.py", ["hold-first-login"])
        defer { server.stop() }
        let directory = try TemporaryDirectory()
        let outcome = try await ProcessRunner.runDetached(
            MailferryBinary.path,
            [
                "pull", "--source", "imap://u@127.0.0.1:\(server.port)", "--allow-plaintext", "--store",
                directory.file("store"), "--job", "u", "--connections", "4", "--retries", "1", "--retry-delay",
                "0.05", "--timeout", "10", "--progress", "none",
            ],
            environment: ProcessInfo.processInfo.environment.merging(["MAILFERRY_SOURCE_PASSWORD": "x"]) { $1 })
        let output = outcome.stdout + outcome.stderr
        #expect(outcome.status == 0, "\(output.suffix(1500))")
        #expect(!output.contains("AUTHENTICATIONFAILED") && !output.contains("before the first login"), "\(output)")
    }
}
