import COpenSSL

/// A configured OpenSSL `SSL_CTX`, shared by many connections (OpenSSL makes a configured
/// context safe to use from several threads).
final class TLSContext: @unchecked Sendable {
    let context: OpaquePointer
    let configuration: TLSConfiguration

    init(_ configuration: TLSConfiguration, host: String) throws {
        guard let context = SSL_CTX_new(TLS_client_method()) else {
            throw IMAPError.tlsHandshakeFailed(host: host, reason: "cannot create a TLS context: \(OpenSSLErrors.drain())")
        }
        self.context = context
        self.configuration = configuration
        _ = mf_SSL_CTX_set_min_proto_version(context, mf_TLS1_2_VERSION())
        _ = mf_SSL_CTX_set_mode(context, mf_SSL_MODE_AUTO_RETRY())
        mf_SSL_CTX_disable_renegotiation_and_compression(context)
        if configuration.verifiesCertificate {
            SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nil)
            // A context that trusts nothing verifies nothing: load a CA set explicitly.
            let loaded: Int32
            if let caFile = configuration.caFile {
                loaded = SSL_CTX_load_verify_locations(context, caFile, nil)
                guard loaded == 1 else {
                    SSL_CTX_free(context)
                    throw IMAPError.tlsHandshakeFailed(host: host, reason: "cannot load CA file \(caFile): \(OpenSSLErrors.drain())")
                }
            } else {
                loaded = SSL_CTX_set_default_verify_paths(context)
            }
        } else {
            SSL_CTX_set_verify(context, SSL_VERIFY_NONE, nil)
        }
    }

    deinit { SSL_CTX_free(context) }
}

enum OpenSSLErrors {
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
        return messages.isEmpty ? "unknown TLS error" : messages.joined(separator: "; ")
    }
}
