import ArgumentParser
import Foundation
import IMAPClient

/// TLS and timeout flags shared by every command that connects.
struct ConnectionOptions: ParsableArguments {
    @Option(name: .customLong("ca-file"), help: "PEM file of CAs to trust instead of the system's.")
    var caFile: String?

    @Option(
        name: .customLong("source-ca-file"),
        help: "CA file for the source only (e.g. its self-signed CA), so the target keeps the system's.")
    var sourceCAFile: String?

    @Option(name: .customLong("target-ca-file"), help: "CA file for the target only.")
    var targetCAFile: String?

    @Flag(help: "Do not verify the server's TLS certificate (dangerous).")
    var insecure = false

    @Flag(name: .customLong("allow-plaintext"), help: "Allow sending the password over an unencrypted link.")
    var allowPlaintext = false

    @Option(help: "Seconds to wait for a connection or a reply (finite, > 0, at most 86400).")
    var timeout: Double = 60

    @Option(
        name: .customLong("compress-link"),
        help: ArgumentHelp(
            "COMPRESS=DEFLATE when the server offers it: auto (a far server on a slow link: round trip of 20 ms or more and under 8 MB/s per connection, judged after its first 4 MB), on, off.",
            valueName: "auto|on|off"))
    var compressLink: LinkCompression = .auto

    /// An unattended migration must never wait forever, nor crash on a number it cannot use.
    func validate() throws {
        guard timeout.isFinite, timeout > 0, timeout <= 86_400 else {
            throw ValidationError("--timeout \(timeout): must be a number of seconds above 0 and at most 86400")
        }
        for (flag, file) in [
            ("--ca-file", caFile), ("--source-ca-file", sourceCAFile), ("--target-ca-file", targetCAFile),
        ] {
            if let file, let problem = CAFileCheck.problem(with: file) {
                throw ValidationError("\(flag) \(file): \(problem)")
            }
        }
        if insecure {
            StandardStreams.err(
                "mailferry: warning: --insecure: server certificates are not verified; anyone on the path can read the passwords and the mail\n"
            )
        }
    }

    enum Side { case source, target, either }

    /// The side's own CA file when given, else `--ca-file`, else the system's CAs.
    func clientConfiguration(for endpoint: IMAPEndpoint, side: Side = .either) -> IMAPClientConfiguration {
        let file: String?
        switch side {
        case .source: file = sourceCAFile ?? caFile
        case .target: file = targetCAFile ?? caFile
        case .either: file = caFile
        }
        var configuration = IMAPClientConfiguration(
            endpoint: endpoint,
            tls: TLSConfiguration(verifiesCertificate: !insecure, caFile: file),
            allowsPlaintextLogin: allowPlaintext,
            timeouts: Timeouts(connect: min(timeout, 30), io: timeout))
        configuration.linkCompression = compressLink
        return configuration
    }
}

extension LinkCompression: ExpressibleByArgument {}

/// `--connections` of every command that opens several: 1…64 (a server limits logins per user).
func validateConnections(_ connections: Int) throws {
    guard (1...64).contains(connections) else {
        throw ValidationError("--connections \(connections): must be between 1 and 64")
    }
}
