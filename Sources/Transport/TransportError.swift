/// What can go wrong below a protocol: resolving, connecting, TLS, reading and writing. Every
/// case names the host. IMAP and SMTP clients wrap these in their own errors.
public enum TransportError: Error, Equatable, Sendable {
    case nameNotResolved(host: String, reason: String)
    case connectionRefused(host: String, port: Int)
    case connectFailed(host: String, port: Int, reason: String)
    case timedOut(host: String, operation: String)
    case tlsHandshakeFailed(host: String, reason: String)
    case certificateRejected(host: String, reason: String)
    /// The link is gone: reset, EOF, a failed TLS record, an interrupt.
    case connectionClosed(host: String, detail: String)
    /// A `--ca-file` that is missing, empty, a directory or not PEM.
    case caFileUnusable(path: String, reason: String)
}
