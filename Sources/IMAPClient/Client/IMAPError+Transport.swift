@_exported import Transport

extension IMAPError {
    /// The same failure in IMAP's terms (the cases correspond one to one).
    init(_ error: TransportError) {
        switch error {
        case .nameNotResolved(let host, let reason): self = .nameNotResolved(host: host, reason: reason)
        case .connectionRefused(let host, let port): self = .connectionRefused(host: host, port: port)
        case .connectFailed(let host, let port, let reason):
            self = .connectFailed(host: host, port: port, reason: reason)
        case .timedOut(let host, let operation): self = .timedOut(host: host, operation: operation)
        case .tlsHandshakeFailed(let host, let reason): self = .tlsHandshakeFailed(host: host, reason: reason)
        case .certificateRejected(let host, let reason): self = .certificateRejected(host: host, reason: reason)
        case .connectionClosed(let host, let detail): self = .connectionClosed(host: host, detail: detail)
        case .caFileUnusable(let path, let reason): self = .caFileUnusable(path: path, reason: reason)
        }
    }
}

/// Runs transport code, its failures turned into `IMAPError`s.
func overTransport<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as TransportError {
        throw IMAPError(error)
    }
}

/// A transport stream whose failures surface as `IMAPError`s, so the client's retry and
/// scope logic sees one error type.
final class IMAPErrorStream: ByteStream {
    private let base: ByteStream

    init(_ base: ByteStream) { self.base = (base as? IMAPErrorStream)?.base ?? base }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        try overTransport { try base.read(into: buffer) }
    }
    func write(_ bytes: UnsafeRawBufferPointer) throws { try overTransport { try base.write(bytes) } }
    func close() { base.close() }
    var hasReadableInput: Bool { base.hasReadableInput }
}
