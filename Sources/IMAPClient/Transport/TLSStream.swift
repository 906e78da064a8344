import COpenSSL
import Foundation

/// TLS over a connected TCP socket, with SNI and host-name verification.
final class TLSStream: ByteStream {
    private let socket: TCPSocket
    private let ssl: OpaquePointer
    private let host: String
    private var isClosed = false

    init(over socket: TCPSocket, host: String, context: TLSContext) throws {
        guard let ssl = SSL_new(context.context) else {
            throw IMAPError.tlsHandshakeFailed(host: host, reason: OpenSSLErrors.drain())
        }
        self.socket = socket
        self.ssl = ssl
        self.host = host
        SSL_set_fd(ssl, socket.descriptor)
        let isAddress = TLSStream.isIPAddress(host)
        if !isAddress { _ = mf_SSL_set_tlsext_host_name(ssl, host) }
        if context.configuration.verifiesCertificate {
            if isAddress {
                X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host)
            } else {
                SSL_set1_host(ssl, host)
            }
        }
        try handshake()
    }

    deinit {
        close()
        SSL_free(ssl)
    }

    private func handshake() throws {
        ERR_clear_error()
        let result = SSL_connect(ssl)
        guard result == 1 else {
            let verifyResult = SSL_get_verify_result(ssl)
            if verifyResult != X509_V_OK {
                let reason = String(cString: X509_verify_cert_error_string(verifyResult))
                throw IMAPError.certificateRejected(host: host, reason: "\(reason) (verify result \(verifyResult))")
            }
            if SSL_get_error(ssl, result) == SSL_ERROR_SYSCALL, errno == EAGAIN || errno == EWOULDBLOCK {
                throw IMAPError.timedOut(host: host, operation: "TLS handshake")
            }
            let detail = OpenSSLErrors.drain()
            throw IMAPError.tlsHandshakeFailed(host: host, reason: detail == "unknown TLS error" ? "the server closed the connection during the handshake" : detail)
        }
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        ERR_clear_error()
        let count = SSL_read(ssl, buffer.baseAddress, Int32(min(buffer.count, Int(Int32.max))))
        if count > 0 { return Int(count) }
        let error = SSL_get_error(ssl, count)
        if error == SSL_ERROR_ZERO_RETURN { return 0 }
        throw failure(error, operation: "read")
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            ERR_clear_error()
            let count = SSL_write(ssl, bytes.baseAddress! + offset, Int32(min(bytes.count - offset, 1 << 20)))
            if count > 0 { offset += Int(count); continue }
            throw failure(SSL_get_error(ssl, count), operation: "write")
        }
    }

    private func failure(_ error: Int32, operation: String) -> IMAPError {
        if error == SSL_ERROR_SYSCALL {
            if errno == EAGAIN || errno == EWOULDBLOCK { return .timedOut(host: host, operation: operation) }
            if errno == 0 { return .connectionClosed(host: host, detail: "the server closed the TLS connection during \(operation)") }
            return .connectionClosed(host: host, detail: "TLS \(operation) failed: \(String(cString: strerror(errno)))")
        }
        return .connectionClosed(host: host, detail: "TLS \(operation) failed: \(OpenSSLErrors.drain())")
    }

    func close() {
        guard !isClosed else { return }
        isClosed = true
        _ = SSL_shutdown(ssl)
        socket.close()
    }

    static func isIPAddress(_ host: String) -> Bool {
        var v4 = in_addr(), v6 = in6_addr()
        return inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1
    }
}
