import Batch
import DovecotHarness
import Foundation
import Hummingbird
import HummingbirdTesting
import IMAPClient
import IMAPCore
import MailCorpus
import TestSupport
import Testing

@testable import Web

@Suite("serve: a batch from the form to done against two real Dovecots", .serialized)
struct WebBatchTests {
    static let sourcePassword = "Source-Passw0rd", targetPassword = "Target-Passw0rd"

    static func login(_ server: DovecotServer, user: String, password: String) async throws -> IMAPClient {
        let client = IMAPClient(
            configuration: IMAPClientConfiguration(
                endpoint: IMAPEndpoint(host: server.host, port: server.imapsPort, user: user, security: .implicitTLS),
                tls: TLSConfiguration(verifiesCertificate: true, caFile: server.caFile)))
        try await client.connect()
        try await client.login(password: password)
        return client
    }

    /// Messages in all folders of an account.
    static func count(_ server: DovecotServer, user: String, password: String) async throws -> Int {
        let client = try await login(server, user: user, password: password)
        let names = try await client.list().filter { !$0.attributes.contains { $0.lowercased() == "\\noselect" } }
            .map(\.name)
        let statuses = try await client.statuses(of: names, items: ["MESSAGES"])
        await client.logout()
        return statuses.reduce(0) { $0 + ($1.messages ?? 0) }
    }

    @Test(
        "submit two mailboxes: 303 to an unguessable page, jobs done, the event stream's last word is done, logs zip, report; no password in any answer"
    )
    func submitToDone() async throws {
        let pair = try await DovecotPair.launch(
            source: DovecotConfiguration(users: [
                DovecotUser(name: "ann@example.com", password: Self.sourcePassword),
                DovecotUser(name: "ben@example.com", password: Self.sourcePassword),
            ]),
            target: DovecotConfiguration(users: [
                DovecotUser(name: "ann@example.com", password: Self.targetPassword),
                DovecotUser(name: "ben@example.com", password: Self.targetPassword),
            ]))
        defer { pair.stop() }
        let scratch = try TemporaryDirectory()
        for (seed, user) in ["ann@example.com", "ben@example.com"].enumerated() {
            let client = try await Self.login(pair.source, user: user, password: Self.sourcePassword)
            let folders = try CorpusGenerator(
                spec: CorpusSpec(messagesPerFolder: 2, seed: UInt64(seed + 1)), scratchDirectory: scratch.path
            ).folders()
            _ = try await CorpusLoader(client: client).load(folders, separator: ".")
            await client.logout()
        }
        let ca = try pair.combinedCAFile(in: scratch.path)
        let dns = try await NSDServer.start(zones: [
            "example.com": "@ 3600 IN MX 10 mail.example.com.\nmail IN A 192.0.2.1\nimap IN CNAME mail.example.com."
        ])
        defer { dns.stop() }
        let fixture = try WebFixture(
            targetServer: IMAPEndpoint(
                host: pair.target.host, port: pair.target.imapsPort, user: "", security: .implicitTLS),
            caFile: ca, dnsServer: dns.address)
        let port = pair.source.imapsPort
        try await fixture.app.application(host: "127.0.0.1", port: 0).test(.router) { client in
            var session = BrowserSession()
            try await client.execute(uri: "/", method: .get) { session.take($0) }
            let (headers, body) = session.multipart([
                ("action", "submit"), ("row_count", "2"), ("report_to", "admin@example.com"),
                ("server_0", pair.source.host), ("source_email_0", "ann@example.com"),
                ("source_password_0", Self.sourcePassword), ("target_password_0", Self.targetPassword),
                ("port_0", "\(port)"), ("tls_0", "on"),
                ("server_1", pair.source.host), ("source_email_1", "ben@example.com"),
                ("source_password_1", Self.sourcePassword), ("target_password_1", Self.targetPassword),
                ("port_1", "\(port)"), ("tls_1", "on"),
            ])
            var location = ""
            try await client.execute(uri: "/", method: .post, headers: headers, body: body) { response in
                #expect(response.status == .seeOther, "\(String(buffer: response.body))")
                location = response.headers[.location] ?? ""
            }
            #expect(location.range(of: "^/status/[0-9a-f]{32}$", options: .regularExpression) != nil, "\(location)")
            var everything = ""
            try await client.execute(uri: location, method: .get) { response in
                #expect(response.status == .ok)
                let html = String(buffer: response.body)
                everything += html
                #expect(html.contains("ann@example.com") && html.contains("ben@example.com"))
                #expect(html.contains(">Run differential sync</button>") && html.contains(">Download logs</a>"))
            }
            var states: [String] = []
            let deadline = Date().addingTimeInterval(120)
            while Date() < deadline {
                try await client.execute(uri: location + "/jobs.json", method: .get) { response in
                    let text = String(buffer: response.body)
                    everything += text
                    let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
                    states = (object?["jobs"] as? [[String: Any]])?.compactMap { $0["state"] as? String } ?? []
                }
                if !states.isEmpty && states.allSatisfy({ $0 == "done" }) { break }
                try await Task.sleep(for: .milliseconds(300))
            }
            #expect(states == ["done", "done"], "\(states)")
            var verdict = ""
            _ = await waitForDNS {
                try? await client.execute(uri: location + "/jobs.json", method: .get) { response in
                    let object = try? JSONSerialization.jsonObject(with: Data(String(buffer: response.body).utf8))
                    verdict = ((object as? [String: Any])?["dns"] as? String) ?? ""
                }
                return !verdict.isEmpty
            }
            #expect(verdict.contains("example.com: not prepared"), "the DNS verdict of the batch's domain: \(verdict)")
            try await client.execute(uri: location + "/events", method: .get) { response in
                let text = String(buffer: response.body)
                everything += text
                #expect(response.headers[.contentType] == "text/event-stream")
                #expect(text.contains("event: jobs\ndata: "))
                #expect(text.contains(#""state":"done""#))
                #expect(text.contains("retry: 86400000"), "a finished batch ends its stream")
            }
            try await client.execute(uri: location + "/logs.zip", method: .get) { response in
                #expect(response.headers[.contentType] == "application/zip")
                #expect(response.body.readableBytes > 100)
                #expect(response.body.getBytes(at: 0, length: 2) == Array("PK".utf8))
            }
            try await client.execute(uri: location + "/report", method: .get) { response in
                let html = String(buffer: response.body)
                everything += html
                #expect(html.contains("ann@example.com"))
            }
            // A differential sync from the page: queued again, done again, nothing doubled.
            let (rerunHeaders, rerunBody) = session.multipart([])
            try await client.execute(uri: location + "/rerun", method: .post, headers: rerunHeaders, body: rerunBody) {
                response in
                #expect(response.status == .seeOther)
            }
            await fixture.app.waitForBatches()
            #expect(!everything.contains(Self.sourcePassword) && !everything.contains(Self.targetPassword))
        }
        // No password in any file of the store: database, logs, Maildir, archives, reports.
        var files = FileManager.default.enumerator(atPath: fixture.directory.file("store"))
        while let relative = files?.nextObject() as? String {
            let data = FileManager.default.contents(atPath: fixture.directory.file("store/\(relative)")) ?? Data()
            for secret in [Self.sourcePassword, Self.targetPassword] {
                #expect(data.range(of: Data(secret.utf8)) == nil, "\(secret.prefix(3))… in \(relative)")
            }
        }
        files = nil
        for user in ["ann@example.com", "ben@example.com"] {
            let source = try await Self.count(pair.source, user: user, password: Self.sourcePassword)
            let target = try await Self.count(pair.target, user: user, password: Self.targetPassword)
            #expect(source > 0 && target == source, "\(user): \(source) → \(target)")
        }
    }
}

func waitForDNS(_ condition: () async -> Bool) async -> Bool {
    let deadline = Date().addingTimeInterval(30)
    while Date() < deadline {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(200))
    }
    return false
}
