import Foundation
import Testing

/// Where `probe` (and every command) takes a password from, from the binary against a real
/// Dovecot: the file first, then the environment variable, never a prompt without a terminal.
@Suite("password sources and probe, from the binary", .serialized)
struct PasswordSourceTests {
    struct Case: CustomStringConvertible, Sendable {
        var name: String
        var file: String?  // contents; nil: no --password-file
        var missingFile = false
        var environment: String?  // MAILFERRY_SOURCE_PASSWORD
        var code: Int32
        var says: String
        var description: String { name }
    }

    static let cases: [Case] = [
        Case(name: "environment only", environment: sourcePassword, code: 0, says: "INBOX"),
        Case(
            name: "the file wins over the environment", file: "Wrong-Passw0rd\n", environment: sourcePassword, code: 3,
            says: "login failed"),
        Case(
            name: "a right file with a wrong environment logs in", file: sourcePassword + "\n",
            environment: "Wrong-Passw0rd",
            code: 0, says: "INBOX"),
        Case(name: "an empty file is bad input", file: "", environment: sourcePassword, code: 2, says: "is empty"),
        Case(
            name: "a missing file is bad input", missingFile: true, environment: sourcePassword, code: 2,
            says: "cannot read the password file"),
        Case(
            name: "nothing at all, no terminal: bad input naming the variable", code: 2,
            says: "MAILFERRY_SOURCE_PASSWORD"),
    ]

    @Test("each source, in order of precedence")
    func sources() async throws {
        let fixture = try await PullFixture.start(spec: .init(messagesPerFolder: 2))
        defer { fixture.stop() }
        for item in Self.cases {
            var arguments = [
                "probe", "imaps://alice@\(fixture.server.host):\(fixture.server.imapsPort)", "--ca-file",
                fixture.server.caFile,
            ]
            let path = fixture.store + "/password-\(UUID().uuidString)"
            if let contents = item.file { try Data(contents.utf8).write(to: URL(fileURLWithPath: path)) }
            if item.file != nil || item.missingFile { arguments += ["--password-file", path] }
            var environment = ProcessInfo.processInfo.environment
            environment.removeValue(forKey: "MAILFERRY_SOURCE_PASSWORD")
            if let value = item.environment { environment["MAILFERRY_SOURCE_PASSWORD"] = value }
            let outcome = try ProcessRunner.run(MailferryBinary.path, arguments, environment: environment)
            #expect(outcome.status == item.code, "\(item): \(outcome.stderr)")
            #expect(
                (outcome.stdout + outcome.stderr).contains(item.says), "\(item): \(outcome.stdout)\(outcome.stderr)")
            #expect(
                !(outcome.stdout + outcome.stderr).contains("Wrong-Passw0rd")
                    && !(outcome.stdout + outcome.stderr).contains(sourcePassword),
                "\(item): no password in any output")
        }
    }

    @Test("probe --json reports the login, capabilities and folders with their counts")
    func probeJSON() async throws {
        let fixture = try await PullFixture.start(spec: .init(messagesPerFolder: 2))
        defer { fixture.stop() }
        let outcome = try await MailferryBinary.run(
            [
                "probe", "imaps://alice@\(fixture.server.host):\(fixture.server.imapsPort)",
                "--ca-file", fixture.server.caFile, "--json",
            ],
            environment: ["MAILFERRY_SOURCE_PASSWORD": sourcePassword])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any])
        let capabilities = try #require(object["capabilities"] as? [String], "\(object.keys)")
        #expect(capabilities.contains("IMAP4REV1") || capabilities.contains("IMAP4rev1"))
        let folders = try #require(object["folders"] as? [[String: Any]])
        #expect(folders.contains { $0["name"] as? String == "INBOX" })
        let listed = Set(folders.compactMap { $0["name"] as? String })
        let expected = Set(try await snapshot(of: fixture.server).map(\.folder))
        #expect(expected.isSubset(of: listed), "every folder with mail is listed: \(listed)")
    }
}
