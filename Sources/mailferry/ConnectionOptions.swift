import ArgumentParser
import IMAPClient

/// TLS and timeout flags shared by every command that connects.
struct ConnectionOptions: ParsableArguments {
    @Option(name: .customLong("ca-file"), help: "PEM file of CAs to trust instead of the system's.")
    var caFile: String?

    @Flag(help: "Do not verify the server's TLS certificate (dangerous).")
    var insecure = false

    @Flag(name: .customLong("allow-plaintext"), help: "Allow sending the password over an unencrypted link.")
    var allowPlaintext = false

    @Option(help: "Seconds to wait for a connection or a reply.")
    var timeout: Double = 60

    func clientConfiguration(for endpoint: IMAPEndpoint) -> IMAPClientConfiguration {
        IMAPClientConfiguration(
            endpoint: endpoint,
            tls: TLSConfiguration(verifiesCertificate: !insecure, caFile: caFile),
            allowsPlaintextLogin: allowPlaintext,
            timeouts: Timeouts(connect: min(timeout, 30), io: timeout))
    }
}
