import DovecotHarness
import Foundation
import IMAPClient
import Testing

/// Certificates that fail in ways a CA file cannot cure get a hint that says so.
@Suite("certificate failures and their hints")
struct CertificateHintTests {
    /// A CA of our own and a leaf for localhost/127.0.0.1 that expired before it began
    /// (`-days -1`), so verification fails on its dates while the chain itself is trusted.
    private static func expiredCertificate(in directory: String) throws -> (ca: String, cert: String, key: String) {
        let ext = directory + "/leaf.ext"
        try "subjectAltName = DNS:localhost, IP:127.0.0.1\n".write(toFile: ext, atomically: true, encoding: .utf8)
        let steps = [
            [
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
                "ca.key", "-out", "ca.pem",
                "-subj", "/CN=expired-test CA", "-days", "30",
            ],
            [
                "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", "leaf.key",
                "-out", "leaf.csr",
                "-subj", "/CN=localhost",
            ],
            [
                "x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-days",
                "-1",
                "-extfile", ext, "-out", "leaf.pem",
            ],
        ]
        for arguments in steps { try openssl(arguments, in: directory) }
        return (directory + "/ca.pem", directory + "/leaf.pem", directory + "/leaf.key")
    }

    /// The same CA and leaf, but the leaf is valid only from 2099: `openssl ca -startdate`, as
    /// OpenSSL 3.0's `x509` cannot set a start date.
    private static func futureCertificate(in directory: String) throws -> (ca: String, cert: String, key: String) {
        try "".write(toFile: directory + "/index.txt", atomically: true, encoding: .utf8)
        try "01\n".write(toFile: directory + "/serial", atomically: true, encoding: .utf8)
        try """
        [ ca ]
        default_ca = test
        [ test ]
        dir = .
        database = ./index.txt
        new_certs_dir = .
        serial = ./serial
        default_md = sha256
        policy = anything
        x509_extensions = leaf
        [ anything ]
        commonName = supplied
        [ leaf ]
        subjectAltName = DNS:localhost, IP:127.0.0.1

        """.write(toFile: directory + "/ca.cnf", atomically: true, encoding: .utf8)
        for arguments in [
            [
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
                "ca.key", "-out", "ca.pem", "-subj", "/CN=future-test CA", "-days", "30",
            ],
            [
                "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", "leaf.key",
                "-out", "leaf.csr", "-subj", "/CN=localhost",
            ],
            [
                "ca", "-batch", "-config", "ca.cnf", "-cert", "ca.pem", "-keyfile", "ca.key", "-in", "leaf.csr",
                "-out", "leaf.pem", "-startdate", "20991231000000Z", "-enddate", "21001231000000Z", "-notext",
            ],
        ] {
            try openssl(arguments, in: directory)
        }
        return (directory + "/ca.pem", directory + "/leaf.pem", directory + "/leaf.key")
    }

    private static func openssl(_ arguments: [String], in directory: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.standardError = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw CocoaError(.fileWriteUnknown) }
    }

    @Test("a certificate not valid yet is refused by default; the hint points at the clock, not at a CA file")
    func notYetValid() async throws {
        let directory = NSTemporaryDirectory() + "mf-future-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        chmod(directory, 0o755)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let files = try Self.futureCertificate(in: directory)
        var configuration = DovecotConfiguration(users: [DovecotUser(name: "alice", password: "Secret123")])
        configuration.customCertificate = CustomCertificate(
            certificateFile: files.cert, keyFile: files.key, caFile: files.ca)
        try await withDovecot(configuration) { server in
            let client = server.clientConfiguration(user: "alice")
            #expect(client.tls.caFile == files.ca, "the issuing CA is trusted: only the dates fail")
            let error = await #expect(throws: IMAPError.self) { try await IMAPClient(configuration: client).connect() }
            guard case .certificateRejected(_, let reason)? = error else {
                Issue.record("got \(String(describing: error))"); return
            }
            #expect(reason.contains("not valid yet"), "\(reason)")
            #expect(reason.contains("clock"), "\(reason)")
            #expect(!reason.contains("--ca-file"), "a CA file does not help here: \(reason)")
        }
    }

    @Test("an expired certificate is refused by default; the hint says a CA file does not help")
    func expired() async throws {
        let directory = NSTemporaryDirectory() + "mf-expired-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        chmod(directory, 0o755)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let files = try Self.expiredCertificate(in: directory)
        var configuration = DovecotConfiguration(users: [DovecotUser(name: "alice", password: "Secret123")])
        configuration.customCertificate = CustomCertificate(
            certificateFile: files.cert, keyFile: files.key, caFile: files.ca)
        try await withDovecot(configuration) { server in
            var client = server.clientConfiguration(user: "alice")
            #expect(client.tls.caFile == files.ca)
            let error = await #expect(throws: IMAPError.self) { try await IMAPClient(configuration: client).connect() }
            guard case .certificateRejected(_, let reason)? = error else {
                Issue.record("got \(String(describing: error))"); return
            }
            #expect(reason.contains("expired"), "\(reason)")
            #expect(reason.contains("a CA file does not help"))
            // --insecure still connects: the admin's informed choice.
            client.tls.verifiesCertificate = false
            let insecure = IMAPClient(configuration: client)
            try await insecure.connect()
            try await insecure.login(password: "Secret123")
            await insecure.logout()
        }
    }
}
