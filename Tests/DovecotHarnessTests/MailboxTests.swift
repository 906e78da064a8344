import DovecotHarness
import Foundation
import Testing

@Suite struct MailboxTests {
    @Test func savedMessageIsVisibleToDoveadmWithFlags() throws {
        let server = try DovecotServer.start(DovecotConfiguration(users: [Fixtures.alice, Fixtures.bob]))
        defer { server.stop() }
        let file = "\(server.root)/tmp/hello.eml"
        try Fixtures.message(subject: "Hello from the harness").write(to: URL(fileURLWithPath: file))

        let first = try server.save(
            user: "bob", folder: "Projects.2024", messageFile: file, flags: ["\\Seen", "$Forwarded"])
        let second = try server.save(user: "bob", folder: "Projects.2024", message: Fixtures.message(subject: "Second"))
        #expect(first == 1)
        #expect(second == 2)

        let fetched = try server.doveadm([
            "fetch", "-u", "bob", "uid flags hdr.subject", "mailbox", "Projects.2024", "uid", "1",
        ])
        #expect(fetched.contains("Hello from the harness"), "\(fetched)")
        #expect(fetched.contains("\\Seen"), "\(fetched)")
        #expect(fetched.contains("$Forwarded"), "\(fetched)")
        let found = try server.doveadm(["search", "-u", "bob", "mailbox", "Projects.2024", "subject", "Second"])
        #expect(found.split(whereSeparator: \.isNewline).count == 1, "\(found)")
        // "." is the separator here, so the folder is Projects inside which 2024 lives.
        #expect(FileManager.default.fileExists(atPath: server.maildirPath(of: "bob") + "/Projects/2024/cur"))

        let unseen = try server.doveadm(["search", "-u", "bob", "mailbox", "Projects.2024", "unseen"])
        #expect(unseen.split(whereSeparator: \.isNewline).count == 1, "\(unseen)")
        let inbox = try server.save(user: "BOB", folder: "INBOX", message: Fixtures.message(subject: "Inbox"))
        #expect(inbox == 1)
    }

    @Test func doveadmFailureCarriesStderr() throws {
        let server = try DovecotServer.start(DovecotConfiguration(users: [Fixtures.bob]))
        defer { server.stop() }
        do {
            _ = try server.doveadm(["search", "-u", "bob", "mailbox", "Nope", "all"])
            Issue.record("expected a failure")
        } catch let error as DovecotHarnessError {
            #expect(String(describing: error).contains("Nope"), "\(error)")
        }
    }

    @Test func slashSeparatorWithCustomSpecialUseNames() throws {
        let configuration = DovecotConfiguration(
            users: [Fixtures.bob], hierarchySeparator: "/",
            specialUseFolders: ["Sent Items": "\\Sent", "Deleted Items": "\\Trash", "Archive/2024": "\\Archive"])
        let server = try DovecotServer.start(configuration)
        defer { server.stop() }
        try server.save(user: "bob", folder: "v1.2 notes/drafts", message: Fixtures.message(subject: "dotted"))

        let result = try TLSClient.session(
            host: server.host, port: server.imapsPort, caFile: server.caFile,
            commands: [
                TLSClient.login(tag: "a", user: "bob", password: Fixtures.bob.password),
                ["b NAMESPACE"], ["c LIST \"\" \"*\""], ["d LOGOUT"],
            ])
        let output = result.output
        #expect(output.contains("* NAMESPACE ((\"\" \"/\")) NIL NIL"), "\(output)")
        #expect(output.contains("\\Sent) \"/\" \"Sent Items\""), "\(output)")
        #expect(output.contains("\\Trash) \"/\" \"Deleted Items\""), "\(output)")
        #expect(output.contains("\\Archive) \"/\" Archive/2024"), "\(output)")
        #expect(output.contains("\"/\" \"v1.2 notes/drafts\""), "\(output)")
        #expect(!output.contains("\"Sent\"") && !output.contains(" Sent\r"), "\(output)")
    }

    @Test func quotaUserGetsOVERQUOTA() throws {
        let carol = DovecotUser(name: "carol", password: "carol pw", quotaBytes: 2_000)
        let server = try DovecotServer.start(DovecotConfiguration(users: [carol, Fixtures.bob]))
        defer { server.stop() }
        let result = try TLSClient.session(
            host: server.host, port: server.imapsPort, caFile: server.caFile,
            commands: [
                TLSClient.login(tag: "a", user: "carol", password: carol.password),
                TLSClient.append(tag: "b", message: Fixtures.message(subject: "small", bodyBytes: 100)),
                TLSClient.append(tag: "c", message: Fixtures.message(subject: "large", bodyBytes: 3_000)),
                ["d GETQUOTAROOT INBOX"], ["e LOGOUT"],
            ])
        #expect(result.output.contains("b OK"), "\(result.output)\n\(server.logContents)")
        #expect(result.output.contains("c NO [OVERQUOTA]"), "\(result.output)\n\(server.logContents)")
        #expect(result.output.contains("* QUOTA \"User quota\" (STORAGE 1 2)"), "\(result.output)")

        // bob has no quota.
        try server.save(user: "bob", folder: "INBOX", message: Fixtures.message(subject: "big", bodyBytes: 100_000))
    }
}
