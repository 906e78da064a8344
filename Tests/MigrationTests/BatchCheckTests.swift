import DovecotHarness
import Foundation
import Testing

/// `batch check` from the binary against two real Dovecots: each kind of login outcome with
/// its reason and hint, nothing copied, no password printed.
@Suite("batch check against real Dovecots")
struct BatchCheckTests {
    @Test("ok, wrong source password, missing target with and without create_mailbox, nothing listening")
    func logins() async throws {
        let pair = try await DovecotPair.launch(
            source: DovecotConfiguration(users: [
                DovecotUser(name: "alice", password: sourcePassword),
                DovecotUser(name: "bob", password: "Bob-Passw0rd"),
            ]),
            target: DovecotConfiguration(users: [DovecotUser(name: "carol", password: targetPassword)]))
        defer { pair.stop() }
        let directory = try TemporaryDirectory()
        let host = pair.source.host, port = pair.source.imapsPort
        let csv = """
            source_server,source_user,source_password,source_port,source_tls,target_user,target_password,create_mailbox
            \(host),alice,\(sourcePassword),\(port),true,carol,\(targetPassword),false
            \(host),bob,Wrong-Passw0rd,\(port),true,carol2,\(targetPassword),true
            \(host),bob,Bob-Passw0rd,\(port),true,nobody,\(targetPassword),false
            127.0.0.1,dead,Dead-Passw0rd,1,true,carol3,\(targetPassword),false

            """
        let file = directory.file("batch.csv")
        try csv.write(toFile: file, atomically: true, encoding: .utf8)
        let outcome = try await MailferryBinary.run([
            "batch", "check", file, "--target-server", "imaps://\(pair.target.host):\(pair.target.imapsPort)",
            "--ca-file", try pair.combinedCAFile(in: directory.path), "--timeout", "10", "--json",
        ])
        #expect(outcome.status == 1, "some logins fail: \(outcome.stderr)")
        let output = try #require(try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any])
        let lines = try #require(output["mailboxes"] as? [[String: Any]])
        #expect((output["dns"] as? [Any])?.isEmpty == true, "logins without a domain: no DNS to check")
        func login(_ line: Int, _ side: String) -> [String: Any] {
            (lines.first { $0["line"] as? Int == line }?[side] as? [String: Any]) ?? [:]
        }
        #expect(login(2, "source")["result"] as? String == "ok" && login(2, "target")["result"] as? String == "ok")
        #expect(login(3, "source")["failureKind"] as? String == "auth")
        #expect((login(3, "source")["hint"] as? String)?.contains("quote a password") == true)
        // No provisioner yet: a mailbox to be created is reported as such a failure, not promised.
        #expect(login(3, "target")["failureKind"] as? String == "provisioning")
        #expect(login(4, "source")["result"] as? String == "ok")
        #expect(login(4, "target")["failureKind"] as? String == "auth", "no mailbox and not to be created")
        #expect(login(5, "source")["failureKind"] as? String == "connect")
        #expect((login(5, "source")["hint"] as? String)?.contains("127.0.0.1:1") == true)
        for password in [sourcePassword, targetPassword, "Wrong-Passw0rd", "Bob-Passw0rd", "Dead-Passw0rd"] {
            #expect(!(outcome.stdout + outcome.stderr).contains(password), "no password in the output")
        }
        let snapshotAfter = try await snapshot(of: pair.target, user: "carol", password: targetPassword)
        #expect(snapshotAfter.isEmpty, "nothing copied")
    }

    @Test("an invalid file: every problem on stderr, exit 2, no login tried")
    func invalidFile() async throws {
        let directory = try TemporaryDirectory()
        let file = directory.file("bad.csv")
        try "a,b,c\n127.0.0.1,u,weak,1,true,,,false\n".write(toFile: file, atomically: true, encoding: .utf8)
        let outcome = try await MailferryBinary.run(["batch", "check", file, "--target-server", "imaps://127.0.0.1:1"])
        #expect(outcome.status == 2)
        #expect(outcome.stderr.contains("line 1: 3 columns, expected 8"))
        #expect(outcome.stderr.contains("line 2, target_password: too weak"))
        #expect(outcome.stderr.contains("nothing was started"))
        #expect(
            !outcome.stderr.contains("weak,") && !outcome.stdout.contains("refused"),
            "no login tried, no password shown")
    }
}
