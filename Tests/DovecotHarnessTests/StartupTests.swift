import DovecotHarness
import Foundation
import Testing

@Suite struct StartupTests {
    @Test func plainPortGreetsAndOffersSTARTTLS() throws {
        let server = try DovecotServer.start(DovecotConfiguration(users: [Fixtures.alice, Fixtures.bob]))
        defer { server.stop() }
        #expect(server.host == "127.0.0.1")
        let client = try LineClient(host: server.host, port: server.imapPort)
        let greeting = try client.greeting()
        #expect(greeting.hasPrefix("* OK"), "\(greeting)\n\(server.logContents)")
        let reply = try client.command("a", "CAPABILITY")
        let capabilities = reply.first { $0.hasPrefix("* CAPABILITY") } ?? ""
        #expect(capabilities.contains(" STARTTLS"), "\(reply)")
        #expect(reply.last?.hasPrefix("a OK") == true)
    }

    @Test func implicitTLSVerifiesAgainstTheInstanceCA() throws {
        let server = try DovecotServer.start(DovecotConfiguration(users: [Fixtures.bob]))
        defer { server.stop() }
        let result = try TLSClient.session(
            host: server.host, port: server.imapsPort, caFile: server.caFile,
            extraArguments: ["-verify_return_error", "-verify_hostname", "localhost", "-verify_ip", "127.0.0.1"],
            commands: [["a LOGOUT"]])
        #expect(result.exitStatus == 0, "\(result.output)")
        #expect(result.output.contains("Verify return code: 0 (ok)"), "\(result.output)")
        #expect(result.output.contains("* OK"), "\(result.output)")
        #expect(result.output.contains("a OK"), "\(result.output)")
    }

    @Test func trickyPasswordLogsInOverTLSAndLoginsAreCaseInsensitive() throws {
        let server = try DovecotServer.start(DovecotConfiguration(users: [Fixtures.alice, Fixtures.bob]))
        defer { server.stop() }
        let started = Date()
        let result = try TLSClient.session(
            host: server.host, port: server.imapsPort, caFile: server.caFile,
            commands: [
                TLSClient.login(tag: "a", user: "alice", password: "wrong"),
                TLSClient.login(tag: "b", user: "ALICE", password: Fixtures.trickyPassword),
                ["c LOGOUT"],
            ])
        #expect(result.output.contains("a NO [AUTHENTICATIONFAILED]"), "\(result.output)")
        #expect(result.output.contains("b OK"), "\(result.output)\n\(server.logContents)")
        let loggedIn =
            (result.output.split(whereSeparator: \.isNewline).first { $0.hasPrefix("b OK [CAPABILITY") } ?? "")
            .replacingOccurrences(of: "]", with: " ")
        for capability in [
            "UIDPLUS", "CONDSTORE", "LITERAL+", "SPECIAL-USE", "MULTIAPPEND", "NAMESPACE",
            "ID", "ENABLE", "QUOTA", "MOVE",
        ] {
            #expect(loggedIn.contains(" \(capability) "), "\(capability) missing from \(loggedIn)")
        }
        #expect(result.output.contains("c OK"), "\(result.output)")
        // With Dovecot's defaults the wrong password would cost 2 s and the next login another
        // 2 s of per-IP penalty; both are off.
        #expect(Date().timeIntervalSince(started) < 3)
        #expect(server.logContents.contains("user=<alice>"))
    }

    @Test func STARTTLSUpgradesThePlainPort() throws {
        let server = try DovecotServer.start(DovecotConfiguration(users: [Fixtures.bob]))
        defer { server.stop() }
        let result = try TLSClient.session(
            host: server.host, port: server.imapPort, caFile: server.caFile, starttls: true,
            extraArguments: ["-verify_return_error"],
            commands: [TLSClient.login(tag: "a", user: "bob", password: Fixtures.bob.password), ["b LOGOUT"]])
        #expect(result.output.contains("Verify return code: 0 (ok)"), "\(result.output)")
        #expect(result.output.contains("a OK"), "\(result.output)")
        #expect(server.logContents.contains("TLS"))
    }

    @Test func anotherInstancesCAIsNotTrusted() throws {
        let first = try DovecotServer.start(DovecotConfiguration(users: [Fixtures.bob]))
        defer { first.stop() }
        let second = try DovecotServer.start(DovecotConfiguration(users: [Fixtures.bob]))
        defer { second.stop() }
        let result = try TLSClient.session(
            host: second.host, port: second.imapsPort, caFile: first.caFile,
            extraArguments: ["-verify_return_error"], commands: [["a LOGOUT"]])
        #expect(result.exitStatus != 0)
        #expect(!result.output.contains("a OK"), "\(result.output)")
    }

    @Test(arguments: [
        DovecotUser(name: "eve", password: "has:colon"),
        DovecotUser(name: "eve", password: "tab\there"),
        DovecotUser(name: "eve", password: ""),
        DovecotUser(name: "e/ve", password: "x"),
        DovecotUser(name: "eve", password: "x", quotaBytes: 0),
    ])
    func invalidUsersAreRejectedBeforeAnythingStarts(user: DovecotUser) {
        #expect(throws: DovecotHarnessError.self) {
            try DovecotServer.start(DovecotConfiguration(users: [user]))
        }
    }

    @Test func duplicateLoginsDifferingInCaseAreRejected() {
        #expect(throws: DovecotHarnessError.self) {
            try DovecotServer.start(
                DovecotConfiguration(users: [Fixtures.bob, DovecotUser(name: "BOB", password: "x")]))
        }
    }

    @Test func invalidSeparatorAndFolderNamesAreRejected() {
        #expect(throws: DovecotHarnessError.self) {
            try DovecotServer.start(DovecotConfiguration(hierarchySeparator: ";"))
        }
        #expect(throws: DovecotHarnessError.self) {
            try DovecotServer.start(DovecotConfiguration(specialUseFolders: ["Say \"hi\"": "\\Sent"]))
        }
        #expect(throws: DovecotHarnessError.self) {
            try DovecotServer.start(DovecotConfiguration(specialUseFolders: ["Sent": "Sent"]))
        }
    }
}
