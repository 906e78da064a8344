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
        for arguments in steps {
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
        return (directory + "/ca.pem", directory + "/leaf.pem", directory + "/leaf.key")
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
