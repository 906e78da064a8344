import Foundation

/// A one-off CA and the server certificate it signed, made with the openssl CLI.
///
/// Every instance gets its own CA, so trusting one server's `caFile` never makes another
/// instance's certificate valid — tests of "wrong CA" need no extra set-up.
struct TestCertificateAuthority {
    let caFile: String
    let certificateFile: String
    let keyFile: String

    /// `ipAddresses` and `dnsNames` become the server certificate's subjectAltName.
    static func create(
        in directory: String, label: String, dnsNames: [String], ipAddresses: [String],
        scratchDirectory: String
    ) throws -> TestCertificateAuthority {
        let configFile = "\(directory)/openssl.cnf"
        let caKey = "\(directory)/ca.key"
        let authority = TestCertificateAuthority(
            caFile: "\(directory)/ca.pem",
            certificateFile: "\(directory)/server.pem",
            keyFile: "\(directory)/server.key")
        let altNames = (dnsNames.map { "DNS:\($0)" } + ipAddresses.map { "IP:\($0)" }).joined(separator: ", ")
        // An explicit config keeps the system openssl.cnf from adding its own extensions
        // (a second basicConstraints makes `req -x509` fail).
        let config = """
            [req]
            distinguished_name = dn
            prompt = no
            [dn]
            CN = unused
            [ca_ext]
            basicConstraints = critical, CA:TRUE
            keyUsage = critical, keyCertSign, cRLSign
            subjectKeyIdentifier = hash
            [server_ext]
            basicConstraints = critical, CA:FALSE
            keyUsage = critical, digitalSignature
            extendedKeyUsage = serverAuth
            subjectAltName = \(altNames)
            subjectKeyIdentifier = hash
            authorityKeyIdentifier = keyid

            """
        try config.write(toFile: configFile, atomically: true, encoding: .utf8)

        // EC keys: generating them is instant, RSA 2048 would cost ~100 ms per instance.
        let keyOptions = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        let validity = ["-days", "30"]
        _ = try CommandRunner.check(
            ["openssl", "req", "-x509", "-config", configFile, "-extensions", "ca_ext"] + keyOptions
                + ["-keyout", caKey, "-out", authority.caFile, "-subj", "/CN=mailferry test CA \(label)"] + validity,
            scratchDirectory: scratchDirectory)
        // OpenSSL 3's `req -CA` issues the leaf directly, saving a CSR round trip.
        _ = try CommandRunner.check(
            ["openssl", "req", "-x509", "-config", configFile, "-extensions", "server_ext"] + keyOptions
                + [
                    "-keyout", authority.keyFile, "-out", authority.certificateFile, "-subj", "/CN=localhost",
                    "-CA", authority.caFile, "-CAkey", caKey, "-set_serial", "0x\(Self.randomSerial())",
                ] + validity,
            scratchDirectory: scratchDirectory)
        return authority
    }

    private static func randomSerial() -> String {
        // A clear top bit keeps the DER integer positive without padding.
        (0..<16).map { index in String(format: "%02x", UInt8.random(in: 0...(index == 0 ? 0x7f : 0xff))) }.joined()
    }
}
