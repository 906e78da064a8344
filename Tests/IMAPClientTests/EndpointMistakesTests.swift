import DovecotHarness
import Foundation
import IMAPClient
import IMAPCore
import Testing

@Suite("endpoint mistakes get a clear error, never a crash")
struct EndpointMistakesTests {
    @Test("imaps:// to Dovecot's plain port names the port and suggests imap://")
    func implicitTLSToPlainPort() async throws {
        try await withDovecot { server in
            var configuration = server.clientConfiguration(user: "alice")
            configuration.endpoint = IMAPEndpoint(
                host: server.host, port: server.imapPort, user: "alice", security: .implicitTLS)
            let error = await #expect(throws: IMAPError.self) {
                try await IMAPClient(configuration: configuration).connect()
            }
            guard case .schemeMismatch(_, let port, _, let hint)? = error else {
                Issue.record("got \(String(describing: error))"); return
            }
            #expect(port == server.imapPort)
            #expect(hint.contains("imap://\(server.host):\(server.imapPort)"))
        }
    }

    @Test("imap:// to Dovecot's implicit-TLS port ends within the timeout with a hint to use imaps://")
    func plainToImplicitTLSPort() async throws {
        try await withDovecot { server in
            var configuration = server.clientConfiguration(user: "alice", implicitTLS: false, ioTimeout: 2)
            configuration.endpoint.port = server.imapsPort
            let start = Date()
            let error = await #expect(throws: IMAPError.self) {
                try await IMAPClient(configuration: configuration).connect()
            }
            guard case .schemeMismatch(_, _, _, let hint)? = error else {
                Issue.record("got \(String(describing: error))"); return
            }
            #expect(hint.contains("imaps://\(server.host):\(server.imapsPort)"))
            // The 2 s read timeout ends it, not Dovecot giving up on the handshake (minutes);
            // generous because a loaded test machine is slow to even start the login process.
            #expect(Date().timeIntervalSince(start) < 30)
        }
    }

    @Test(
        "an empty, non-PEM, directory or missing CA file is a configuration error naming the file (was a double free)",
        arguments: ["empty", "not-pem", "directory", "missing"])
    func unusableCAFile(kind: String) async throws {
        let directory = NSTemporaryDirectory() + "ca-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/" + kind
        switch kind {
        case "empty": FileManager.default.createFile(atPath: path, contents: Data())
        case "not-pem": FileManager.default.createFile(atPath: path, contents: Data("just some text\n".utf8))
        case "directory": try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        default: break
        }
        let listener = try LoopbackListener()
        defer { listener.close() }
        let configuration = IMAPClientConfiguration(
            endpoint: IMAPEndpoint(host: "127.0.0.1", port: listener.port, user: "u", security: .implicitTLS),
            tls: TLSConfiguration(caFile: path), timeouts: Timeouts(connect: 2, io: 2))
        let error = await #expect(throws: IMAPError.self) {
            try await IMAPClient(configuration: configuration).connect()
        }
        guard case .caFileUnusable(let named, let reason)? = error else {
            Issue.record("got \(String(describing: error))"); return
        }
        #expect(named == path)
        #expect(!reason.isEmpty)
        #expect(error?.isConfigurationError == true)
    }

    /// A hand-written listener on purpose: it accepts and never answers the ClientHello, which
    /// no real server does on demand.
    @Test("a TLS handshake the server never answers is reported as a timeout")
    func handshakeTimeout() async throws {
        let listener = try LoopbackListener()
        defer { listener.close() }
        listener.serveOnce { _ in Thread.sleep(forTimeInterval: 10) }
        let configuration = IMAPClientConfiguration(
            endpoint: IMAPEndpoint(host: "127.0.0.1", port: listener.port, user: "u", security: .implicitTLS),
            tls: TLSConfiguration(verifiesCertificate: false), timeouts: Timeouts(connect: 2, io: 1))
        await #expect(throws: IMAPError.timedOut(host: "127.0.0.1", operation: "TLS handshake")) {
            try await IMAPClient(configuration: configuration).connect()
        }
    }

    /// A hand-written listener on purpose: it reads the ClientHello and hangs up, what a busy
    /// Dovecot now and then does right after a client was killed. OpenSSL 3 reports that as an
    /// SSL error ("unexpected eof"), not a syscall one; it must still count as the link failing.
    @Test("a server that hangs up mid-handshake is a transient link failure, not a TLS error")
    func handshakeEOF() async throws {
        let listener = try LoopbackListener()
        defer { listener.close() }
        listener.serveOnce { socket in
            var hello = [UInt8](repeating: 0, count: 512)
            _ = recv(socket, &hello, hello.count, 0)
        }
        let configuration = IMAPClientConfiguration(
            endpoint: IMAPEndpoint(host: "127.0.0.1", port: listener.port, user: "u", security: .implicitTLS),
            tls: TLSConfiguration(verifiesCertificate: false), timeouts: Timeouts(connect: 2, io: 2))
        let error = await #expect(throws: IMAPError.self) {
            try await IMAPClient(configuration: configuration).connect()
        }
        guard case .connectionClosed? = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(error?.isTransient == true)
    }
}

@Suite("endpoint parsing")
struct EndpointParsingTests {
    @Test(
        "valid endpoints",
        arguments: [
            ("imaps://u@[::1]:9993", "::1", 9993, "u", "u on imaps://[::1]:9993"),
            ("imaps://u@[::1]", "::1", 993, "u", "u on imaps://[::1]:993"),
            (
                "imap://demo@example.com@mail.example.com", "mail.example.com", 143, "demo@example.com",
                "demo@example.com on imap://mail.example.com:143"
            ),
            (
                "imaps://demo%40example.com@host:1993", "host", 1993, "demo@example.com",
                "demo@example.com on imaps://host:1993"
            ),
        ])
    func valid(text: String, host: String, port: Int, user: String, printed: String) throws {
        let endpoint = try IMAPEndpoint(parsing: text)
        #expect(endpoint.host == host && endpoint.port == port && endpoint.user == user)
        #expect(endpoint.description == printed)
        #expect(try IMAPEndpoint(parsing: endpoint.url) == endpoint, "the URL form parses back")
    }

    @Test(
        "refused endpoints say why",
        arguments: [
            ("imaps://u@::1", "must be in brackets"),
            ("imaps://u@::1:993", "must be in brackets"),
            ("imaps://u@[::1]x", "only :port may follow"),
            ("imaps://u@[::1]:99x", "only :port may follow"),
            ("imaps://u@[example.com]:993", "not an IPv6 address"),
            ("imaps://u@[::1", "unclosed ["),
            ("imaps://u@host:0", "1-65535"),
            ("imaps://u@host:abc", "bad port"),
            ("imaps://u:secret@host", "password in the URL"),
            ("https://u@host", "must start with"),
        ])
    func refused(text: String, reason: String) {
        #expect {
            try IMAPEndpoint(parsing: text)
        } throws: { error in
            let description = "\(error)"
            return description.contains(reason) && !description.contains("secret")
        }
    }
}
