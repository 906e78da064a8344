import Foundation
import TestSupport
import Testing

/// dns-check from the binary against a real nsd: exit codes, text and JSON.
@Suite("dns-check from the command line", .serialized)
struct DNSCheckCommandTests {
    static let zones: [String: String] = [
        "vshosting.cloud": "mda IN A 10.0.0.10\nmsa IN A 10.0.0.11\nmx1 IN A 10.0.0.12",
        "oldhost.test": "mail IN A 192.0.2.1",
        "notready.test": "@ 7200 IN MX 10 mail.oldhost.test.\nimap IN CNAME mail.oldhost.test.",
        "switched.test": """
        @ 300 IN MX 10 mx1.vshosting.cloud.
        imap IN CNAME mda.vshosting.cloud.
        smtp IN CNAME msa.vshosting.cloud.
        pop3 IN CNAME mda.vshosting.cloud.
        """,
    ]

    @Test("exit 0 when nothing needs doing, 1 with findings (text and JSON), 2 for bad input, 3 when the DNS is silent")
    func exitCodes() async throws {
        let server = try await NSDServer.start(zones: Self.zones)
        defer { server.stop() }
        let good = try await MailferryBinary.run(["dns-check", "switched.test", "--dns-server", server.address])
        #expect(good.status == 0, "\(good.stdout)\(good.stderr)")
        #expect(good.stdout.contains("switched.test: switched"))
        #expect(
            good.stdout.contains("imap.switched.test → mda.vshosting.cloud (10.0.0.10)  CloudMail"), "\(good.stdout)")

        let findings = try await MailferryBinary.run([
            "dns-check", "switched.test", "notready.test", "--dns-server", server.address, "--json",
        ])
        #expect(findings.status == 1, "\(findings.stderr)")
        let reports = try #require(
            try JSONSerialization.jsonObject(with: Data(findings.stdout.utf8)) as? [[String: Any]])
        #expect(reports.map { $0["domain"] as? String } == ["switched.test", "notready.test"])
        #expect(reports.map { $0["phase"] as? String } == ["switched", "not prepared"])
        let mx = try #require((reports[1]["mx"] as? [[String: Any]])?.first)
        #expect(mx["ttl"] as? Int == 7200 && mx["host"] as? String == "mail.oldhost.test")
        let advice = (reports[1]["findings"] as? [[String: Any]])?.compactMap { $0["text"] as? String } ?? []
        #expect(advice.contains { $0.contains("lower the MX TTL from 2 h to 300 s, at least 2 h before the switch") })

        let custom = try await MailferryBinary.run([
            "dns-check", "notready.test", "--dns-server", server.address, "--cloudmail-mx", "mail.oldhost.test",
            "--imap-host", "mail.oldhost.test",
        ])
        #expect(custom.stdout.contains("notready.test: switched"), "the MX hosts are configurable: \(custom.stdout)")

        let bad = try await MailferryBinary.run(["dns-check", "not a domain", "--dns-server", server.address])
        #expect(bad.status == 2 && bad.stderr.contains("not a domain"), "\(bad.stderr)")
        let badServer = try await MailferryBinary.run(["dns-check", "switched.test", "--dns-server", "dns.example"])
        #expect(badServer.status == 2, "\(badServer.stderr)")

        let silent = try SilentUDPServer()
        let started = Date()
        let unreachable = try await MailferryBinary.run([
            "dns-check", "switched.test", "--dns-server", silent.address, "--timeout", "1",
        ])
        #expect(unreachable.status == 3, "\(unreachable.stderr)")
        #expect(unreachable.stderr.contains("no answer from the DNS server \(silent.address): timed out"))
        #expect(Date().timeIntervalSince(started) < 15)
    }

    @Test("batch check shows the DNS verdict of every domain of the batch; a silent DNS is said, not fatal")
    func batchCheck() async throws {
        let server = try await NSDServer.start(zones: Self.zones)
        defer { server.stop() }
        let directory = try TemporaryDirectory()
        let csv = directory.file("domains.csv")
        // Sources on a closed port: the logins fail at once; the DNS part is what is looked at.
        try """
        127.0.0.1,ann,Source-Passw0rd,1,false,ann@switched.test,Target-Passw0rd1,false
        127.0.0.1,ben,Source-Passw0rd,1,false,ben@notready.test,Target-Passw0rd1,false
        127.0.0.1,cid,Source-Passw0rd,1,false,cid@notready.test,Target-Passw0rd1,false

        """.write(toFile: csv, atomically: true, encoding: .utf8)
        let common = ["batch", "check", csv, "--target-server", "imap://127.0.0.1:1", "--allow-plaintext"]
        let text = try await MailferryBinary.run(common + ["--dns-server", server.address])
        #expect(text.status == 1, "the logins fail: \(text.stderr)")
        #expect(text.stdout.contains("DNS of the batch's domains"), "\(text.stdout)")
        #expect(text.stdout.contains("notready.test: not prepared"))
        #expect(text.stdout.contains("switched.test: switched"))
        let json = try await MailferryBinary.run(common + ["--dns-server", server.address, "--json"])
        let output = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(
            (output["dns"] as? [[String: Any]])?.compactMap { $0["domain"] as? String } == [
                "notready.test", "switched.test",
            ])
        #expect((output["mailboxes"] as? [Any])?.count == 3)
        let silent = try SilentUDPServer()
        let unchecked = try await MailferryBinary.run(common + ["--dns-server", silent.address])
        #expect(unchecked.status == 1)
        #expect(unchecked.stdout.contains("DNS not checked: no answer from the DNS server"), "\(unchecked.stdout)")
    }
}
