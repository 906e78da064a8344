import COpenSSL
import Foundation

/// TLS over a connected TCP socket, with SNI and host-name verification.
///
/// The socket is non-blocking under OpenSSL and every wait is a poll with a deadline: a read
/// must bring decrypted bytes within the I/O timeout, so a server that drips a TLS record one
/// byte at a time (each byte inside SO_RCVTIMEO, the record never whole) is cut, not waited
/// on forever. A write waits at most the timeout for room in the socket, each time.
public final class TLSStream: ByteStream {
    private let socket: TCPSocket
    private let ssl: OpaquePointer
    private let host: String
    private var isClosed = false
    /// Set by the first fatal read or write error: OpenSSL forbids further I/O on the session
    /// (a later SSL_write fails with "bad length"), so it is refused here with the first reason.
    private var failure: TransportError?

    public init(over socket: TCPSocket, host: String, context: TLSContext) throws {
        guard let ssl = SSL_new(context.context) else {
            throw TransportError.tlsHandshakeFailed(host: host, reason: OpenSSLErrors.drain())
        }
        self.socket = socket
        self.ssl = ssl
        self.host = host
        socket.makeNonBlocking()
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

    /// On the non-blocking socket OpenSSL's BIO reports "nothing yet" as SSL_ERROR_WANT_READ or
    /// WANT_WRITE: wait for the socket, then call again. EINTR (a signal, Ctrl-Z then `fg`)
    /// is simply retried.
    private enum Outcome {
        case retry
        case wait(forWriting: Bool)
        /// The link failed (reset, EOF): worth a retry on a new connection.
        case linkFailed(String)
        /// TLS itself failed (protocol error, alert); OpenSSL's words.
        case tlsFailed(String)
    }

    private func classify(_ result: Int32, savedErrno: Int32, operation: String) -> Outcome {
        let error = SSL_get_error(ssl, result)
        if error == SSL_ERROR_WANT_READ { return .wait(forWriting: false) }
        if error == SSL_ERROR_WANT_WRITE { return .wait(forWriting: true) }
        if error == SSL_ERROR_SYSCALL && savedErrno != 0 {
            if savedErrno == EINTR { return .retry }
            if savedErrno == EAGAIN || savedErrno == EWOULDBLOCK { return .wait(forWriting: operation == "write") }
            return .linkFailed("TLS \(operation) failed: \(String(cString: strerror(savedErrno)))")
        }
        if error == SSL_ERROR_SYSCALL || (error == SSL_ERROR_SSL && mf_last_error_is_unexpected_eof() != 0) {
            return .linkFailed("the server closed the TLS connection during \(operation)")
        }
        return .tlsFailed(OpenSSLErrors.drain())
    }

    private func handshake() throws {
        let deadline = Date(timeIntervalSinceNow: socket.ioTimeout)
        while true {
            ERR_clear_error()
            errno = 0
            let result = SSL_connect(ssl)
            let savedErrno = errno
            if result == 1 { return }
            let verifyResult = SSL_get_verify_result(ssl)
            if verifyResult != X509_V_OK {
                let reason = String(cString: X509_verify_cert_error_string(verifyResult))
                throw TransportError.certificateRejected(
                    host: host,
                    reason: "\(reason) (verify result \(verifyResult)). \(Self.hint(forVerifyResult: verifyResult))")
            }
            switch classify(result, savedErrno: savedErrno, operation: "handshake") {
            case .retry: continue
            case .wait(let forWriting):
                guard socket.wait(forWriting: forWriting, until: deadline) else {
                    throw TransportError.timedOut(host: host, operation: "TLS handshake")
                }
            // A reset or EOF mid-handshake is the link (or a busy server), worth a retry.
            case .linkFailed(let detail): throw TransportError.connectionClosed(host: host, detail: detail)
            case .tlsFailed(let detail):
                throw TransportError.tlsHandshakeFailed(
                    host: host,
                    reason: detail == OpenSSLErrors.none
                        ? "the server closed the connection during the handshake" : detail)
            }
        }
    }

    /// The error a failed read or write leaves behind; later I/O on this stream gets it too.
    private func fail(_ outcome: Outcome, operation: String) -> TransportError {
        let error: TransportError
        switch outcome {
        case .linkFailed(let detail): error = .connectionClosed(host: host, detail: detail)
        case .tlsFailed(let detail): error = .connectionClosed(host: host, detail: "TLS \(operation) failed: \(detail)")
        case .retry, .wait: error = .timedOut(host: host, operation: operation)
        }
        failure = error
        return error
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if let failure { throw failure }
        let deadline = Date(timeIntervalSinceNow: socket.ioTimeout)
        var trickled = false
        while true {
            ERR_clear_error()
            errno = 0
            let count = SSL_read(ssl, buffer.baseAddress, Int32(min(buffer.count, Int(Int32.max))))
            let savedErrno = errno
            if count > 0 { return Int(count) + readBuffered(into: buffer, after: Int(count)) }
            if SSL_get_error(ssl, count) == SSL_ERROR_ZERO_RETURN { return 0 }
            switch classify(count, savedErrno: savedErrno, operation: "read") {
            case .retry: continue
            case .wait(let forWriting):
                // A timed-out read leaves the session usable: SSL_read may be called again.
                guard socket.wait(forWriting: forWriting, until: deadline) else {
                    throw TransportError.timedOut(
                        host: host,
                        operation: trickled
                            ? "read (the server sends too slowly: no whole TLS record in \(Int(socket.ioTimeout)) s)"
                            : "read")
                }
                trickled = true
            case let outcome: throw fail(outcome, operation: "read")
            }
        }
    }

    /// SSL_read hands out one record per call: the records read ahead are taken too, up to the
    /// buffer's end, so the caller parses 64 KiB at a time, not 4 KiB. Never waits; an error
    /// here is left for the next read to meet.
    private func readBuffered(into buffer: UnsafeMutableRawBufferPointer, after filled: Int) -> Int {
        var total = 0
        while filled + total < buffer.count, SSL_has_pending(ssl) == 1 {
            ERR_clear_error()
            let room = min(buffer.count - filled - total, Int(Int32.max))
            let count = SSL_read(ssl, buffer.baseAddress! + filled + total, Int32(room))
            guard count > 0 else {
                ERR_clear_error()
                break
            }
            total += Int(count)
        }
        return total
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        if let failure { throw failure }
        var offset = 0
        while offset < bytes.count {
            ERR_clear_error()
            errno = 0
            let count = SSL_write(ssl, bytes.baseAddress! + offset, Int32(min(bytes.count - offset, 1 << 20)))
            let savedErrno = errno
            if count > 0 { offset += Int(count); continue }
            switch classify(count, savedErrno: savedErrno, operation: "write") {
            case .retry: continue
            case .wait(let forWriting):
                // A timed-out SSL_write must be repeated with the same bytes, which never happens: fatal.
                guard socket.wait(forWriting: forWriting, until: Date(timeIntervalSinceNow: socket.ioTimeout)) else {
                    throw fail(.wait(forWriting: forWriting), operation: "write")
                }
            case let outcome: throw fail(outcome, operation: "write")
            }
        }
    }

    /// Bytes OpenSSL holds (with read-ahead, records not yet decrypted, which a poll of the
    /// socket would not see), or ciphertext waiting in the socket.
    public var hasReadableInput: Bool { SSL_has_pending(ssl) == 1 || socket.hasReadableInput }

    public func close() {
        guard !isClosed else { return }
        isClosed = true
        // close() may run on any thread (a deinit), where SIGPIPE is not blocked as on the
        // connection threads: the close_notify goes out with SIGPIPE held back for the call.
        if failure == nil { Self.withoutSIGPIPE { _ = SSL_shutdown(ssl) } }
        socket.close()
    }

    /// Runs `body` with SIGPIPE blocked on this thread and drops a SIGPIPE it raised, so a write
    /// into a connection the peer reset fails with EPIPE instead of killing the process.
    static func withoutSIGPIPE<T>(_ body: () -> T) -> T {
        var pipe = sigset_t(), previous = sigset_t()
        sigemptyset(&pipe)
        sigaddset(&pipe, SIGPIPE)
        pthread_sigmask(SIG_BLOCK, &pipe, &previous)
        let result = body()
        var pending = sigset_t()
        sigpending(&pending)
        if sigismember(&pending, SIGPIPE) == 1 && sigismember(&previous, SIGPIPE) == 0 {
            var zero = timespec(tv_sec: 0, tv_nsec: 0)
            _ = sigtimedwait(&pipe, nil, &zero)
        }
        pthread_sigmask(SIG_SETMASK, &previous, nil)
        return result
    }

    /// What helps, by OpenSSL's verify result: a CA file cures an unknown issuer, not an expired
    /// certificate or one issued for another name.
    public static func hint(forVerifyResult result: Int) -> String {
        switch Int32(result) {
        case X509_V_ERR_CERT_HAS_EXPIRED:
            return
                "The server's certificate has expired: renew it on the server (a CA file does not help), or use --insecure knowingly"
        case X509_V_ERR_CERT_NOT_YET_VALID:
            return "The certificate is not valid yet: check this machine's clock, or the server's certificate dates"
        case X509_V_ERR_HOSTNAME_MISMATCH, X509_V_ERR_IP_ADDRESS_MISMATCH:
            return
                "The certificate was issued for another name: connect with a host name it names (a CA file does not help)"
        case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN,
            X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY,
            X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT, X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
            return "No trusted CA signed it: pass --ca-file with the issuing CA, or --insecure to skip verification"
        default:
            return "Pass --ca-file with the issuing CA if it is a private one, or --insecure to skip verification"
        }
    }

    static func isIPAddress(_ host: String) -> Bool {
        var v4 = in_addr(), v6 = in6_addr()
        return inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1
    }
}
