import Batch
import DovecotHarness
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import IMAPClient
import TestSupport
import Testing

@testable import Web

/// A WebApp over a fresh store, with the target the tests give (or nowhere: port 1).
struct WebFixture {
    let directory: TemporaryDirectory
    let app: WebApp

    init(
        targetServer: IMAPEndpoint = IMAPEndpoint(host: "127.0.0.1", port: 1, user: "", security: .implicitTLS),
        caFile: String? = nil, dnsServer: String? = nil, sharedStore: (any BatchStore)? = nil,
        secretBox: SecretBox? = nil
    ) throws {
        directory = try TemporaryDirectory()
        var configuration = WebConfiguration(storeRoot: directory.file("store"), targetServer: targetServer) {
            endpoint, _ in
            IMAPClientConfiguration(
                endpoint: endpoint, tls: TLSConfiguration(verifiesCertificate: true, caFile: caFile),
                timeouts: Timeouts(connect: 5, io: 30))
        }
        configuration.dnsServer = dnsServer
        configuration.sharedStore = sharedStore
        configuration.secretBox = secretBox
        app = try WebApp(configuration: configuration)
    }
}

extension WebFixture {
    /// Runs `body` against the app in process, as a browser that has loaded the form.
    func withSession(
        _ body: @escaping @Sendable (any TestClientProtocol, BrowserSession) async throws -> Void
    )
        async throws
    {
        try await app.application(host: "127.0.0.1", port: 0).test(.router) { client in
            var session = BrowserSession()
            try await client.execute(uri: "/", method: .get) { session.take($0) }
            try await body(client, session)
        }
    }
}

/// A browser's state between requests: the session cookie and the last CSRF token seen.
struct BrowserSession {
    var cookie = ""
    var csrf = ""

    mutating func take(_ response: TestResponse) {
        if let set = response.headers[.setCookie], let pair = set.split(separator: ";").first {
            cookie = String(pair)
        }
        let body = String(buffer: response.body)
        if let range = body.range(of: #"name="csrf" value=""#) {
            csrf = String(body[range.upperBound...].prefix { $0 != "\"" })
        }
    }

    func multipart(_ fields: [(String, String)], csv: String? = nil) -> (HTTPFields, ByteBuffer) {
        let boundary = "----mailferry-test-boundary"
        var body = ""
        for (name, value) in [("csrf", csrf)] + fields {
            body += "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n"
        }
        body +=
            "--\(boundary)\r\nContent-Disposition: form-data; name=\"csv\"; filename=\"\(csv == nil ? "" : "mailboxes.csv")\"\r\n"
            + "Content-Type: text/csv\r\n\r\n\(csv ?? "")\r\n"
        body += "--\(boundary)--\r\n"
        return (
            [.contentType: "multipart/form-data; boundary=\(boundary)", .cookie: cookie], ByteBuffer(string: body)
        )
    }
}

@Suite("serve: routes in process")
struct WebRouteTests {
    @Test("the form has the guide's labels, a session cookie, a CSRF token and strict headers")
    func form() async throws {
        let fixture = try WebFixture()
        try await fixture.app.application(host: "127.0.0.1", port: 0).test(.router) { client in
            try await client.execute(uri: "/", method: .get) { response in
                #expect(response.status == .ok)
                let html = String(buffer: response.body)
                for label in [
                    "CloudMail login credentials (administrator account)", ">Login</label>", ">Password</label>",
                    ">Email address to receive migration results</label>", "Mailboxes to migrate",
                    ">IMAP server</label>",
                    ">Source email</label>", ">Source password</label>", ">Destination email</label>",
                    ">Destination password</label>", ">Port</label>", ">Use TLS</label>",
                    ">Create mailbox if it does not exist</label>", ">Upload CSV</label>", ">Test connections</button>",
                    ">Submit</button>", #"aria-label="Add mailbox""#, #"aria-label="Remove mailbox""#,
                ] {
                    #expect(html.contains(label), "\(label)")
                }
                #expect(response.headers[.setCookie]?.contains("HttpOnly; SameSite=Strict") == true)
                let policy = response.headers[HTTPField.Name("Content-Security-Policy")!] ?? ""
                #expect(policy.contains("frame-ancestors 'none'") && policy.contains("script-src 'self'"))
                #expect(!html.contains("<script>"), "no inline script")
                #expect(response.headers[.cacheControl] == "no-store")
            }
        }
    }

    @Test("a POST without the session's CSRF token is refused and starts nothing")
    func csrf() async throws {
        let fixture = try WebFixture()
        try await fixture.withSession { client, session in
            var forged = session
            forged.csrf = String(repeating: "0", count: 64)
            let (headers, body) = forged.multipart([("action", "submit")])
            try await client.execute(uri: "/", method: .post, headers: headers, body: body) { response in
                #expect(response.status == .forbidden)
            }
            var otherSession = session
            otherSession.cookie = "mailferry_session=" + String(repeating: "a", count: 32)
            let (headers2, body2) = otherSession.multipart([("action", "submit")])
            try await client.execute(uri: "/", method: .post, headers: headers2, body: body2) { response in
                #expect(response.status == .forbidden, "a token of another session")
            }
        }
        #expect(try SQLiteBatchStore(path: fixture.directory.file("store/batches.sqlite")).batches().isEmpty)
    }

    @Test("empty, malformed and weak fields: each message next to its field, naming the row; no password echoed")
    func validation() async throws {
        let fixture = try WebFixture()
        try await fixture.withSession { client, session in
            let typed = "Typed-Secret-99"
            let (headers, body) = session.multipart([
                ("action", "submit"), ("row_count", "2"), ("report_to", "not-an-address"),
                ("server_0", ""), ("source_email_0", ""), ("source_password_0", typed), ("port_0", "99999"),
                ("tls_0", "on"),
                ("server_1", "imap.example.com"), ("source_email_1", "bob at example.com"),
                ("source_password_1", "weak"), ("port_1", "993"), ("target_password_1", ""),
            ])
            try await client.execute(uri: "/", method: .post, headers: headers, body: body) { response in
                #expect(response.status == .unprocessableContent)
                let html = String(buffer: response.body)
                for message in [
                    "Row 1: IMAP server: empty; it is required", "Row 1: Source email: empty; it is required",
                    "Row 1: Port: 99999 is out of range",
                    "Row 2: Source email: &quot;bob at example.com&quot; is not an email address",
                    "Row 2: Destination password:", "&quot;not-an-address&quot; is not an email address",
                ] {
                    #expect(html.contains(message), "\(message)")
                }
                #expect(html.contains(#"aria-describedby="row1-server-error""#))
                #expect(html.contains(#"id="row1-server-error""#))
                #expect(!html.contains(typed), "a typed password is never rendered back")
                #expect(html.contains(#"value="imap.example.com""#), "what was typed stays")
            }
        }
        #expect(try SQLiteBatchStore(path: fixture.directory.file("store/batches.sqlite")).batches().isEmpty)
    }

    @Test("an uploaded CSV with errors lists each (line, column, reason) and starts nothing")
    func csvWithErrors() async throws {
        let fixture = try WebFixture()
        try await fixture.withSession { client, session in
            let csv = """
                source_server,source_user,source_password,source_port,source_tls,target_user,target_password,create_mailbox
                imap.example.com,ann@example.com,Csv-Secret-77,993,maybe,,,false
                imap.example.com,"unclosed,Csv-Secret-77

                """
            let (headers, body) = session.multipart(
                [("action", "submit"), ("report_to", "admin@example.com")], csv: csv)
            try await client.execute(uri: "/", method: .post, headers: headers, body: body) { response in
                #expect(response.status == .unprocessableContent)
                let html = String(buffer: response.body)
                #expect(html.contains("The CSV file was not used"))
                #expect(html.contains("line 2, source_tls"), "\(html)")
                #expect(html.contains("line 3"))
                #expect(!html.contains("Csv-Secret-77"))
            }
        }
    }

    @Test("a body over the limit is refused with 413 and starts nothing")
    func tooLarge() async throws {
        let fixture = try WebFixture()
        try await fixture.withSession { client, session in
            let csv = String(repeating: "imap.example.com,a@example.com,Passw0rd-x,993,true,,,false\n", count: 80_000)
            let (headers, body) = session.multipart([("action", "submit")], csv: csv)
            #expect(body.readableBytes > fixture.app.configuration.maxBodyBytes)
            try await client.execute(uri: "/", method: .post, headers: headers, body: body) { response in
                #expect(response.status == .contentTooLarge)
            }
        }
        #expect(try SQLiteBatchStore(path: fixture.directory.file("store/batches.sqlite")).batches().isEmpty)
    }

    @Test("the + and × buttons work without JavaScript; a status page of an unknown token is 404")
    func rowsAndUnknownStatus() async throws {
        let fixture = try WebFixture()
        try await fixture.withSession { client, session in
            let (headers, body) = session.multipart([
                ("action", "add"), ("row_count", "1"), ("server_0", "imap.example.com"), ("report_to", "a@example.com"),
            ])
            try await client.execute(uri: "/", method: .post, headers: headers, body: body) { response in
                let html = String(buffer: response.body)
                #expect(html.contains("Mailbox 2"))
                #expect(html.contains(#"value="imap.example.com""#))
                #expect(html.contains(#"name="row_count" value="2""#))
            }
            let (headers2, body2) = session.multipart([
                ("action", "remove_0"), ("row_count", "2"), ("server_0", "first.example.com"),
                ("server_1", "second.example.com"),
            ])
            try await client.execute(uri: "/", method: .post, headers: headers2, body: body2) { response in
                let html = String(buffer: response.body)
                #expect(!html.contains("first.example.com") && html.contains("second.example.com"))
                #expect(!html.contains("Mailbox 2"))
            }
            for path in ["/status/" + String(repeating: "ab", count: 16), "/status/short", "/status/x/jobs.json"] {
                try await client.execute(uri: path, method: .get) { response in
                    #expect(response.status == .notFound, "\(path)")
                }
            }
        }
    }
}
