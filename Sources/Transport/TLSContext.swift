import COpenSSL
import Foundation

/// A configured OpenSSL `SSL_CTX`, shared by many connections (OpenSSL makes a configured
/// context safe to use from several threads).
public final class TLSContext: @unchecked Sendable {
    let context: OpaquePointer
    let configuration: TLSConfiguration

    /// Every failure is raised before `self` is complete, so the context is freed exactly once:
    /// here on failure, in `deinit` otherwise.
    public init(_ configuration: TLSConfiguration, host: String) throws {
        guard let context = SSL_CTX_new(TLS_client_method()) else {
            throw TransportError.tlsHandshakeFailed(
                host: host, reason: "cannot create a TLS context: \(OpenSSLErrors.drain())")
        }
        _ = mf_SSL_CTX_set_min_proto_version(context, mf_TLS1_2_VERSION())
        _ = mf_SSL_CTX_set_mode(context, mf_SSL_MODE_AUTO_RETRY())
        mf_SSL_CTX_disable_renegotiation_and_compression(context)
        mf_SSL_CTX_enable_read_ahead(context, Self.readAheadBytes)
        if configuration.verifiesCertificate {
            SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nil)
            // A context that trusts nothing verifies nothing: load a CA set explicitly.
            if let caFile = configuration.caFile {
                if let problem = CAFileCheck.problem(with: caFile) {
                    SSL_CTX_free(context)
                    throw TransportError.caFileUnusable(path: caFile, reason: problem)
                }
                guard SSL_CTX_load_verify_locations(context, caFile, nil) == 1 else {
                    let detail = OpenSSLErrors.drain()
                    SSL_CTX_free(context)
                    throw TransportError.caFileUnusable(path: caFile, reason: "OpenSSL cannot load it: \(detail)")
                }
            } else {
                _ = SSL_CTX_set_default_verify_paths(context)
            }
        } else {
            SSL_CTX_set_verify(context, SSL_VERIFY_NONE, nil)
        }
        self.context = context
        self.configuration = configuration
    }

    /// Room for a dozen or so records per recv; more only grows every connection's buffer.
    static let readAheadBytes = 64 * 1024

    deinit { SSL_CTX_free(context) }
}

/// What makes a CA file unusable, in words an admin can act on; nil when it looks usable.
public enum CAFileCheck {
    public static func problem(with path: String) -> String? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return "no such file" }
        if isDirectory.boolValue { return "it is a directory, not a PEM file" }
        guard let data = FileManager.default.contents(atPath: path) else { return "cannot read it (permissions?)" }
        if data.isEmpty { return "the file is empty" }
        guard String(decoding: data, as: UTF8.self).contains("-----BEGIN CERTIFICATE-----") else {
            return "no PEM certificate in it (expected a -----BEGIN CERTIFICATE----- block)"
        }
        return nil
    }
}

enum OpenSSLErrors {
    /// What `drain` says when the queue held nothing.
    static let none = "unknown TLS error"

    /// Empties OpenSSL's thread-local error queue into one readable line.
    static func drain() -> String {
        var messages: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            messages.append(String(cString: buffer))
        }
        return messages.isEmpty ? none : messages.joined(separator: "; ")
    }
}
