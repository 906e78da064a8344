import DovecotHarness
import IMAPClient
import IMAPCore
import Logging
import Testing

@Suite("Connection security against a real Dovecot")
struct ConnectionSecurityTests {
    @Test("implicit TLS verifies the server against the given CA and logs in")
    func implicitTLS() async throws {
        try await withDovecot { server in
            let client = try await server.loggedInClient()
            #expect(await client.isEncrypted)
            let capabilities = await client.capabilities
            #expect(capabilities.contains(.imap4rev1))
            #expect(capabilities.contains(.uidPlus))
            await client.logout()
        }
    }

    @Test("STARTTLS upgrades a plain connection before the password is sent")
    func startTLS() async throws {
        try await withDovecot { server in
            let client = IMAPClient(configuration: server.clientConfiguration(user: "alice", implicitTLS: false))
            try await client.connect()
            #expect(await client.isEncrypted)
            #expect(await !client.capabilities.contains(.startTLS), "capabilities must be re-read after the upgrade")
            try await client.login(password: "Secret123")
            await client.logout()
        }
    }

    @Test("a server without STARTTLS gets no password unless plaintext is allowed")
    func plaintextRefused() async throws {
        let configuration = DovecotConfiguration(
            users: [DovecotUser(name: "alice", password: "Secret123")], offersSTARTTLS: false)
        try await withDovecot(configuration) { server in
            let client = IMAPClient(configuration: server.clientConfiguration(user: "alice", implicitTLS: false))
            try await client.connect()
            #expect(await !client.isEncrypted)
            await #expect(throws: IMAPError.plaintextRefused(host: server.host)) {
                try await client.login(password: "Secret123")
            }
            var allowed = server.clientConfiguration(user: "alice", implicitTLS: false)
            allowed.allowsPlaintextLogin = true
            let permitted = IMAPClient(configuration: allowed)
            try await permitted.connect()
            try await permitted.login(password: "Secret123")
            await permitted.logout()
        }
    }

    @Test("without the test CA the certificate is rejected with OpenSSL's reason")
    func verifyFailure() async throws {
        try await withDovecot { server in
            let client = IMAPClient(configuration: server.clientConfiguration(user: "alice", trustCA: false))
            do {
                try await client.connect()
                Issue.record("connected to a server whose certificate no trusted CA signed")
            } catch let error as IMAPError {
                guard case .certificateRejected(let host, let reason) = error else {
                    Issue.record("expected certificateRejected, got \(error)"); return
                }
                #expect(host == server.host)
                #expect(reason.contains("verify result"))
                #expect(reason.contains("No trusted CA signed it") && error.description.contains("--ca-file"))
            }
        }
    }

    @Test("insecure mode connects without verification")
    func insecureMode() async throws {
        try await withDovecot { server in
            var configuration = server.clientConfiguration(user: "alice", trustCA: false)
            configuration.tls.verifiesCertificate = false
            let client = IMAPClient(configuration: configuration)
            try await client.connect()
            try await client.login(password: "Secret123")
            await client.logout()
        }
    }

    @Test("a host name the certificate does not name is rejected")
    func hostNameMismatch() async throws {
        // "127.1" resolves to 127.0.0.1 without DNS, but the certificate names only localhost
        // and 127.0.0.1, so the name check must fail.
        try await withDovecot { server in
            var configuration = server.clientConfiguration(user: "alice")
            configuration.endpoint.host = "127.1"
            let client = IMAPClient(configuration: configuration)
            do {
                try await client.connect()
                Issue.record("accepted a certificate that does not name 127.1")
            } catch let error as IMAPError {
                guard case .certificateRejected(_, let reason) = error else { Issue.record("got \(error)"); return }
                #expect(reason.lowercased().contains("mismatch"))
                #expect(reason.contains("issued for another name") && reason.contains("a CA file does not help"))
            }
        }
    }

    @Test(
        "passwords with quotes, backslashes, spaces, braces and non-ASCII work with LOGIN and PLAIN",
        arguments: [AuthenticationMechanism.login, .plain, .automatic])
    func hardPasswords(mechanism: AuthenticationMechanism) async throws {
        try await withDovecot { server in
            var configuration = server.clientConfiguration(user: "bob")
            configuration.authentication = mechanism
            let capture = CapturingLogHandler()
            let client = IMAPClient(configuration: configuration, logger: Logger(label: "trace") { _ in capture })
            try await client.connect()
            try await client.login(password: hardPassword)
            await client.logout()
            let trace = capture.lines.joined(separator: "\n")
            #expect(trace.contains("C: A"), "the protocol trace was captured")
            #expect(!trace.contains(hardPassword))
            #expect(!trace.contains("ssword"))
        }
    }

    @Test(
        "over TLS the login, ID and NAMESPACE go out together: one round trip, the namespace known after it",
        arguments: [AuthenticationMechanism.login, .plain])
    func loginPipelined(mechanism: AuthenticationMechanism) async throws {
        try await withDovecot { server in
            var configuration = server.clientConfiguration(user: "bob")
            configuration.authentication = mechanism
            let client = IMAPClient(configuration: configuration)
            try await client.connect()
            let before = await client.roundTrips
            try await client.login(password: hardPassword)
            #expect(await client.roundTrips == before + 1, "one exchange for login, ID and NAMESPACE")
            let namespace = try await client.namespace()
            #expect(namespace?.personal.first?.prefix == "", "Dovecot's personal namespace")
            #expect(await client.roundTrips == before + 1, "NAMESPACE was not asked again")
            #expect(try await client.list().contains { $0.name == .inbox }, "the session works after it")
            await client.logout()
        }
    }

    @Test("a wrong password fails with the server's words, never the password")
    func wrongPassword() async throws {
        try await withDovecot { server in
            let client = IMAPClient(configuration: server.clientConfiguration(user: "alice"))
            try await client.connect()
            do {
                try await client.login(password: "Wrong-Pass-42")
                Issue.record("login with a wrong password succeeded")
            } catch let error as IMAPError {
                guard case .authenticationFailed(_, let user, let text) = error else {
                    Issue.record("got \(error)"); return
                }
                #expect(user == "alice")
                #expect(text.lowercased().contains("authentication failed"))
                #expect(!error.description.contains("Wrong-Pass-42"))
                #expect(error.scope == .account)
            }
        }
    }

    @Test("a closed port is reported as refused")
    func refused() async throws {
        let port = try unusedPort()
        let client = IMAPClient(
            configuration: IMAPClientConfiguration(
                endpoint: IMAPEndpoint(host: "127.0.0.1", port: port, user: "x", security: .implicitTLS)))
        await #expect(throws: IMAPError.connectionRefused(host: "127.0.0.1", port: port)) {
            try await client.connect()
        }
    }
}
