import Foundation
import TestSupport
import Testing

/// A real SMTP server (aiosmtpd, from Debian's python3-aiosmtpd) with STARTTLS required and AUTH.
final class TestSMTPServer: @unchecked Sendable {
    let server: HelperServer
    let outDirectory: String
    static let user = "reports", password = "Smtp-Passw0rd"

    var port: Int { server.port }

    static func start(certificate: String, key: String, outDirectory: String) async throws -> TestSMTPServer {
        TestSMTPServer(
            server: try await HelperServer.start(
                "test-smtp-server.py", [certificate, key, user, password, outDirectory]),
            outDirectory: outDirectory)
    }

    private init(server: HelperServer, outDirectory: String) {
        self.server = server; self.outDirectory = outDirectory
    }

    func stop() { server.stop() }

    /// The text part, the attachment's name and text, and the envelope of message `n`.
    func received(_ n: Int) async throws -> (text: String, attachment: String, attachmentName: String, envelope: String)
    {
        let parse = """
            import email, email.policy, sys
            m = email.message_from_binary_file(open(sys.argv[1], 'rb'), policy=email.policy.default)
            text = [p for p in m.walk() if p.get_content_type() == 'text/plain'][0].get_content()
            html = [p for p in m.walk() if p.get_content_type() == 'text/html']
            att = [p for p in m.walk() if p.get_filename()][0]
            print(str(m['Subject']) + '\\n' + ('HTML\\n' if html else '') + text + '\\n=====\\n' + att.get_filename() + '\\n' + att.get_content())
            """
        let out = try await ProcessRunner.runDetached("/usr/bin/python3", ["-c", parse, "\(outDirectory)/\(n).eml"])
        let halves = out.stdout.components(separatedBy: "\n=====\n")
        let attachment = halves.count > 1 ? halves[1] : ""
        let name = attachment.split(separator: "\n", maxSplits: 1).first.map(String.init) ?? ""
        let envelope = (try? String(contentsOfFile: "\(outDirectory)/\(n).json", encoding: .utf8)) ?? ""
        return (halves[0], String(attachment.dropFirst(name.count + 1)), name, envelope)
    }
}

@Suite("batch report email through a real SMTP server", .serialized)
struct BatchReportTests {
    @Test("sent with STARTTLS and AUTH at the end of a run: per job state, counts, errors with hints, the CSV attached")
    func reportSent() async throws {
        let fixture = try await BatchFixture.start()
        defer { fixture.stop() }
        let inbox = fixture.directory.file("smtp")
        try FileManager.default.createDirectory(atPath: inbox, withIntermediateDirectories: true)
        let smtp = try await TestSMTPServer.start(
            certificate: fixture.pair.target.certificateFile, key: fixture.pair.target.keyFile, outDirectory: inbox)
        defer { smtp.stop() }
        let options = [
            "--report-to", "admin@example.test", "--smtp-server", "smtp://127.0.0.1:\(smtp.port)", "--smtp-user",
            TestSMTPServer.user, "--smtp-ca-file", fixture.pair.target.caFile,
        ]
        let outcome = try await fixture.run(options, environment: ["MAILFERRY_SMTP_PASSWORD": TestSMTPServer.password])
        #expect(outcome.status == 1, "\(outcome.stderr)")
        #expect(outcome.stderr.contains("report sent to admin@example.test"))
        let mail = try await smtp.received(1)
        #expect(mail.envelope.contains("\"tls\": true") && mail.envelope.contains("\"auth\": true"), "\(mail.envelope)")
        #expect(mail.text.hasPrefix("mailferry batch acme: 2 done, 1 failed"), "subject: \(mail.text.prefix(80))")
        #expect(mail.text.contains("HTML"), "an HTML part")
        #expect(mail.text.contains("alice") && mail.text.contains("carol") && mail.text.contains("done"))
        #expect(mail.text.contains("failed (auth)") && mail.text.contains("hint: check the login and password"))
        #expect(mail.text.contains("Totals: 3 jobs"))
        #expect(mail.attachmentName == "acme-jobs.csv")
        #expect(mail.attachment.contains("line,source_server,source_user,target_user,state"))
        #expect(mail.attachment.contains(",alice,carol,done,,") && mail.attachment.contains(",equal,"))
        for password in [
            sourcePassword, targetPassword, BatchFixture.bobPassword, "Wrong-Passw0rd", TestSMTPServer.password,
        ] {
            #expect(!mail.text.contains(password) && !mail.attachment.contains(password))
        }
    }

    @Test("a failed send leaves the batch's outcome alone and keeps the report; --resend delivers it")
    func resend() async throws {
        let fixture = try await BatchFixture.start()
        defer { fixture.stop() }
        let environment = ["MAILFERRY_SMTP_PASSWORD": TestSMTPServer.password]
        let down = try await fixture.run(
            [
                "--report-to", "admin@example.test", "--smtp-server", "smtp://127.0.0.1:1", "--smtp-user",
                TestSMTPServer.user,
            ],
            environment: environment)
        #expect(down.status == 1, "the jobs' outcome, not the mail's: \(down.stderr)")
        #expect(down.stderr.contains("batch report --resend"))
        let inbox = fixture.directory.file("smtp")
        try FileManager.default.createDirectory(atPath: inbox, withIntermediateDirectories: true)
        let smtp = try await TestSMTPServer.start(
            certificate: fixture.pair.target.certificateFile, key: fixture.pair.target.keyFile, outDirectory: inbox)
        defer { smtp.stop() }
        let resent = try await MailferryBinary.run(
            [
                "batch", "report", "acme", "--resend", "--store", fixture.store, "--report-to", "admin@example.test",
                "--smtp-server", "smtp://127.0.0.1:\(smtp.port)", "--smtp-user", TestSMTPServer.user, "--smtp-ca-file",
                fixture.pair.target.caFile,
            ], environment: environment)
        #expect(resent.status == 0, "\(resent.stderr)")
        #expect(try await smtp.received(1).text.contains("2 done, 1 failed"))
        let wrongCA = try await MailferryBinary.run(
            [
                "batch", "report", "acme", "--resend", "--store", fixture.store, "--report-to", "admin@example.test",
                "--smtp-server", "smtp://127.0.0.1:\(smtp.port)", "--smtp-user", TestSMTPServer.user,
            ], environment: environment)
        #expect(wrongCA.status == 1, "the certificate is verified by default: \(wrongCA.stderr)")
    }
}
