import DovecotHarness
import Foundation
import TestSupport
import Testing

/// The hosting panel of the HTTP provisioner tests: `scripts/test-admin-api.py`, HTTPS with a
/// certificate from the target Dovecot's test CA, Basic auth, and mailbox creation that adds a
/// user to the target Dovecot's passwd-file.
final class TestAdminAPI: @unchecked Sendable {
    let server: HelperServer
    let log: String
    static let password = "Panel-Adm1n \"pass\", ž"

    var port: Int { server.port }
    var baseURL: String { "https://127.0.0.1:\(port)/api/v1" }

    static func start(target: DovecotServer, log: String) async throws -> TestAdminAPI {
        let owner = target.mailOwner
        return TestAdminAPI(
            server: try await HelperServer.start(
                "test-admin-api.py",
                [
                    target.certificateFile, target.keyFile, target.usersFile, target.homeRoot, "\(owner.uid)",
                    "\(owner.gid)", log,
                ], environment: ["ADMIN_API_PASSWORD": password, "PATH": "/usr/bin:/bin"]),
            log: log)
    }

    private init(server: HelperServer, log: String) { self.server = server; self.log = log }

    func stop() { server.stop() }

    /// The requests it answered: method, path, status and the body's keys.
    func requests() -> [[String: Any]] {
        ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    /// A provisioner configuration for this panel.
    func configuration(caFile: String?) -> String {
        let ca = caFile.map { #""caFile": "\#($0)","# } ?? ""
        return #"""
            {"type": "http", "baseURL": "\#(baseURL)", \#(ca) "auth": "basic",
             "create": {"method": "POST", "path": "/mailboxes",
                        "json": {"address": "{{address}}", "password": "{{password}}"}},
             "check": {"method": "GET", "path": "/whoami"},
             "statuses": {"created": [201], "exists": [409], "badPassword": [422], "noRights": [401, 403]}}
            """#
    }
}

@Suite("batch mailbox creation through the command and HTTP provisioners", .serialized)
struct BatchAdminAPITests {
    @Test(
        "a 6-line CSV: one new mailbox through each provisioner (routed by domain), a 503 retried, an unrouted domain fails only its job"
    )
    func bothProvisioners() async throws {
        let fixture = try await BatchFixture.start(messagesPerFolder: 2)
        defer { fixture.stop() }
        let target = fixture.pair.target
        let panel = try await TestAdminAPI.start(target: target, log: fixture.directory.file("panel.log"))
        defer { panel.stop() }
        let owner = target.mailOwner
        let script = fixture.directory.file("make-mailbox.sh")
        try """
        #!/bin/sh
        set -e
        grep -q "^$MAILFERRY_MAILBOX:" \(target.usersFile) && exit 3
        mkdir -p \(target.homeRoot)/$MAILFERRY_MAILBOX
        chown \(owner.uid):\(owner.gid) \(target.homeRoot)/$MAILFERRY_MAILBOX
        echo "$MAILFERRY_MAILBOX:{PLAIN}$MAILFERRY_MAILBOX_PASSWORD:\(owner.uid):\(owner.gid)::\(target.homeRoot)/$MAILFERRY_MAILBOX::" >> \(target.usersFile)

        """.write(toFile: script, atomically: true, encoding: .utf8)
        chmod(script, 0o755)
        let configuration = fixture.directory.file("provisioner.json")
        try """
        {"type": "domains", "domains": {
          "self.test": {"type": "command", "command": ["\(script)"]},
          "panel.test": \(panel.configuration(caFile: target.caFile))}}
        """.write(toFile: configuration, atomically: true, encoding: .utf8)
        // A password the panel must receive intact through JSON: a comma, a quote, non-ASCII.
        let ginaPassword = "Gi,na\"Pässw0rd"
        let host = fixture.pair.source.host, port = fixture.pair.source.imapsPort
        let csv = fixture.directory.file("six.csv")
        try """
        \(host),alice,\(sourcePassword),\(port),true,carol,\(targetPassword),false
        \(host),bob,\(BatchFixture.bobPassword),\(port),true,dave,\(targetPassword),false
        \(host),alice,\(sourcePassword),\(port),true,frank@self.test,Frank-Passw0rd,true
        \(host),bob,\(BatchFixture.bobPassword),\(port),true,gina@panel.test,"Gi,na""Pässw0rd",true
        \(host),alice,\(sourcePassword),\(port),true,flaky@panel.test,Flaky-Passw0rd,true
        \(host),bob,\(BatchFixture.bobPassword),\(port),true,hank@elsewhere.test,Hank-Passw0rd,true

        """.write(toFile: csv, atomically: true, encoding: .utf8)
        let outcome = try await MailferryBinary.run(
            [
                "batch", "run", csv, "--store", fixture.store, "--target-server", fixture.targetServer, "--ca-file",
                try fixture.caFile(), "--provisioner", configuration, "--admin", "admin", "--concurrency", "3",
                "--json",
            ], environment: ["MAILFERRY_ADMIN_PASSWORD": TestAdminAPI.password])
        #expect(outcome.status == 1, "the unrouted domain fails: \(outcome.stderr)")
        let jobs = try #require(try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [[String: Any]])
        for (source, targetUser) in [
            ("alice", "carol"), ("bob", "dave"), ("alice", "frank@self.test"), ("bob", "gina@panel.test"),
            ("alice", "flaky@panel.test"),
        ] {
            #expect(state(jobs, source, target: targetUser)["state"] as? String == "done", "\(targetUser): \(jobs)")
        }
        let hank = state(jobs, "bob", target: "hank@elsewhere.test")
        #expect(hank["state"] as? String == "failed" && hank["failureKind"] as? String == "provisioning", "\(hank)")
        #expect((hank["lastError"] as? String)?.contains("no provisioner is configured for the domain") == true)

        let alice = try await fixture.messages(on: fixture.pair.source, user: "alice", password: sourcePassword)
        let bob = try await fixture.messages(on: fixture.pair.source, user: "bob", password: BatchFixture.bobPassword)
        #expect(try await fixture.messages(on: target, user: "frank@self.test", password: "Frank-Passw0rd") == alice)
        #expect(try await fixture.messages(on: target, user: "gina@panel.test", password: ginaPassword) == bob)
        #expect(try await fixture.messages(on: target, user: "flaky@panel.test", password: "Flaky-Passw0rd") == alice)

        let posts = panel.requests().filter { $0["method"] as? String == "POST" }
        #expect(
            posts.map { "\($0["path"]!) \($0["status"]!)" }.sorted()
                == ["/api/v1/mailboxes 201", "/api/v1/mailboxes 201", "/api/v1/mailboxes 503"], "\(posts)")
        #expect(posts.allSatisfy { ($0["keys"] as? [String]) == ["address", "password"] })
        let everything = outcome.stdout + outcome.stderr + (try storeText(fixture.store))
        for secret in [TestAdminAPI.password, ginaPassword, "Flaky-Passw0rd", "Frank-Passw0rd"] {
            #expect(!everything.contains(secret), "a password leaked")
        }
    }

    @Test(
        "batch check asks the panel once per domain: a read-only admin and a wrong password are refused with the status, an untrusted certificate named"
    )
    func checkAdminAccess() async throws {
        let fixture = try await BatchFixture.start(messagesPerFolder: 1)
        defer { fixture.stop() }
        let panel = try await TestAdminAPI.start(
            target: fixture.pair.target, log: fixture.directory.file("panel.log"))
        defer { panel.stop() }
        let host = fixture.pair.source.host, port = fixture.pair.source.imapsPort
        let csv = fixture.directory.file("check.csv")
        try """
        \(host),alice,\(sourcePassword),\(port),true,new1@panel.test,New-Passw0rd1,true
        \(host),bob,\(BatchFixture.bobPassword),\(port),true,new2@panel.test,New-Passw0rd2,true

        """.write(toFile: csv, atomically: true, encoding: .utf8)
        let trusted = fixture.directory.file("trusted.json"), untrusted = fixture.directory.file("untrusted.json")
        try panel.configuration(caFile: fixture.pair.target.caFile).write(
            toFile: trusted, atomically: true, encoding: .utf8)
        try panel.configuration(caFile: nil).write(toFile: untrusted, atomically: true, encoding: .utf8)
        func check(_ configuration: String, admin: String, password: String) async throws -> MailferryBinary.Outcome {
            try await MailferryBinary.run(
                [
                    "batch", "check", csv, "--target-server", fixture.targetServer, "--ca-file", try fixture.caFile(),
                    "--provisioner", configuration, "--admin", admin,
                ], environment: ["MAILFERRY_ADMIN_PASSWORD": password])
        }
        let good = try await check(trusted, admin: "admin", password: TestAdminAPI.password)
        #expect(good.status == 0, "\(good.stdout)\(good.stderr)")
        #expect(good.stdout.components(separatedBy: "to be created").count == 3, "\(good.stdout)")
        #expect(panel.requests().filter { $0["path"] as? String == "/api/v1/whoami" }.count == 1, "once per domain")
        #expect(panel.requests().allSatisfy { $0["method"] as? String == "GET" }, "a check creates nothing")

        let viewer = try await check(trusted, admin: "viewer", password: TestAdminAPI.password)
        #expect(viewer.status == 1)
        #expect(viewer.stdout.contains("refused the administrator credentials (HTTP 403)"), "\(viewer.stdout)")
        let wrong = try await check(trusted, admin: "admin", password: "Not-The-Passw0rd")
        #expect(wrong.status == 1)
        #expect(wrong.stdout.contains("(HTTP 401)"), "\(wrong.stdout)")
        let notTrusted = try await check(untrusted, admin: "admin", password: TestAdminAPI.password)
        #expect(notTrusted.status == 1)
        #expect(notTrusted.stdout.contains("certificate was rejected"), "\(notTrusted.stdout)")
        for outcome in [good, viewer, wrong, notTrusted] {
            #expect(!(outcome.stdout + outcome.stderr).contains(TestAdminAPI.password))
        }
    }
}

/// Every text file under the store, for the secrets checks.
func storeText(_ store: String) throws -> String {
    var text = ""
    let files = FileManager.default.enumerator(atPath: store)
    while let relative = files?.nextObject() as? String {
        if let data = FileManager.default.contents(atPath: "\(store)/\(relative)") {
            text += String(decoding: data, as: UTF8.self)
        }
    }
    return text
}
