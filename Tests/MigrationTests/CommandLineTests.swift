import DovecotHarness
import Foundation
import Migration
import Testing

/// The CLI's answers to bad input, from the binary: the spec's exit codes and a message that
/// names what is wrong.
@Suite("command line: bad input is exit 2 with a clear message")
struct CommandLineTests {
    private let source = [
        "pull", "--source", "imaps://someone@127.0.0.1:1", "--store", NSTemporaryDirectory() + "mf-cli-never-created",
    ]
    private let environment = ["MAILFERRY_SOURCE_PASSWORD": "unused-Passw0rd"]

    @Test(
        "numbers that would crash or wait forever are refused",
        arguments: [
            (["--timeout", "nan"], "--timeout"), (["--timeout", "inf"], "--timeout"),
            (["--timeout", "1e20"], "--timeout"),
            (["--timeout", "0"], "--timeout"), (["--timeout", "-3"], "--timeout"),
            (["--connections", "0"], "--connections"), (["--connections", "65"], "--connections"),
        ])
    func badNumbers(extra: [String], named: String) async throws {
        let outcome = try await MailferryBinary.run(source + extra, environment: environment)
        #expect(!outcome.killedBySignal, "crashed: \(outcome.stderr)")
        #expect(outcome.status == 2, "\(outcome.stderr)")
        #expect(outcome.stderr.contains(named))
    }

    @Test("an unknown option or a missing argument is exit 2, not ArgumentParser's 64")
    func usageErrors() async throws {
        for arguments in [source + ["--bogus"], ["pull"], ["no-such-command"], ["verify", "--target", "imaps://u@h"]] {
            let outcome = try await MailferryBinary.run(arguments, environment: environment)
            #expect(outcome.status == 2, "\(arguments): \(outcome.status) \(outcome.stderr)")
        }
    }

    @Test(
        "a CA file that is missing, empty, not PEM or a directory is exit 2 naming the file",
        arguments: ["missing", "empty", "not-pem", "directory"])
    func badCAFile(kind: String) async throws {
        let directory = try makeTemporaryDirectory()
        let path = directory + "/ca-" + kind
        switch kind {
        case "empty": FileManager.default.createFile(atPath: path, contents: Data())
        case "not-pem": FileManager.default.createFile(atPath: path, contents: Data("hello\n".utf8))
        case "directory": try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        default: break
        }
        let outcome = try await MailferryBinary.run(source + ["--ca-file", path], environment: environment)
        #expect(!outcome.killedBySignal, "crashed: \(outcome.stderr)")
        #expect(outcome.status == 2, "\(outcome.stderr)")
        #expect(outcome.stderr.contains(path))
    }

    @Test(
        "inspect of anything but a mailferry archive is exit 2, \"not a mailferry archive\"",
        arguments: ["text", "directory", "tar", "missing"])
    func inspectNonArchive(kind: String) async throws {
        let directory = try makeTemporaryDirectory()
        let path = directory + "/thing-" + kind
        switch kind {
        case "text": FileManager.default.createFile(atPath: path, contents: Data("not a tar at all\n".utf8))
        case "directory": try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        case "tar":
            FileManager.default.createFile(atPath: directory + "/hello.txt", contents: Data("hello\n".utf8))
            #expect(try ProcessRunner.run("/usr/bin/tar", ["-cf", path, "-C", directory, "hello.txt"]).status == 0)
        default: break
        }
        let outcome = try await MailferryBinary.run(["inspect", path])
        #expect(outcome.status == 2, "\(outcome.stdout)\(outcome.stderr)")
        #expect(outcome.stderr.contains("not a mailferry archive"), "\(outcome.stderr)")
        #expect(!outcome.stderr.contains("libarchive"))
    }

    @Test("an IPv6 address without brackets is refused with a hint")
    func bareIPv6() async throws {
        let outcome = try await MailferryBinary.run(["pull", "--source", "imaps://u@::1"], environment: environment)
        #expect(outcome.status == 2)
        #expect(outcome.stderr.contains("imaps://user@[::1]:993"))
    }

    @Test("--version is the version archives record")
    func version() async throws {
        let outcome = try await MailferryBinary.run(["--version"])
        #expect(outcome.status == 0)
        #expect(outcome.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == MailferryBuild.version)
    }

    @Test("a password file with CRLF and a second line logs in with its first line")
    func passwordFileFirstLine() async throws {
        let fixture = try await PullFixture.start(spec: .init(messagesPerFolder: 1))
        defer { fixture.stop() }
        let file = fixture.store + "/password"
        try Data((sourcePassword + "\r\nsecond line, not the password\r\n").utf8).write(to: URL(fileURLWithPath: file))
        let outcome = try await MailferryBinary.run([
            "probe", "imaps://alice@\(fixture.server.host):\(fixture.server.imapsPort)",
            "--ca-file", fixture.server.caFile, "--password-file", file,
        ])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stdout.contains("INBOX"))
    }

    @Test(
        "every command's --help has examples and names the password variable it reads",
        arguments: [
            ("probe", "MAILFERRY_SOURCE_PASSWORD"), ("pull", "MAILFERRY_SOURCE_PASSWORD"),
            ("push", "MAILFERRY_TARGET_PASSWORD"),
            ("migrate", "MAILFERRY_TARGET_PASSWORD"), ("verify", "MAILFERRY_TARGET_PASSWORD"),
            ("restore", "MAILFERRY_TARGET_PASSWORD"),
            ("inspect", "not a"),
        ])
    func help(command: String, mentions: String) async throws {
        let outcome = try await MailferryBinary.run([command, "--help"])
        #expect(outcome.status == 0)
        let text = outcome.stdout.replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "  ", with: " ")
        #expect(outcome.stdout.contains("Examples:"), "\(command)")
        #expect(text.contains(mentions), "\(command): \(outcome.stdout)")
    }

    @Test("with --json a failed run still prints a JSON object on stdout: the message and the exit code")
    func jsonOnFailure() async throws {
        let outcome = try await MailferryBinary.run(source + ["--json"], environment: environment)
        #expect(outcome.status == 3)
        let object = try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any]
        let error = try #require(object?["error"] as? [String: Any], "\(outcome.stdout)")
        #expect(error["exitCode"] as? Int == 3)
        #expect((error["message"] as? String)?.contains("refused") == true)
    }
}
