/// The two classic endpoint mistakes, recognised from how the connection fails.
extension IMAPError {
    /// `imaps://` to a port that greets in plain text: OpenSSL reads "* OK" as a TLS record
    /// header and reports a wrong version number (or a record far too long).
    func hintingPlainPort(_ endpoint: IMAPEndpoint) -> IMAPError {
        guard case .tlsHandshakeFailed(let host, let reason) = self,
            reason.contains("wrong version number") || reason.contains("packet length too long")
                || reason.contains("record layer failure")
        else { return self }
        return .schemeMismatch(
            host: host, port: endpoint.port, detail: "the server answered in plain text, not TLS (\(reason))",
            hint:
                "Port \(endpoint.port) looks like a plain IMAP port: use imap://\(endpoint.hostAndPort) (STARTTLS), or imaps:// with port 993"
        )
    }

    /// `imap://` to an implicit-TLS port: the server waits for a TLS ClientHello, so no greeting
    /// comes (a timeout), or it sends TLS bytes the parser rejects, or it hangs up.
    func hintingTLSPort(_ endpoint: IMAPEndpoint) -> IMAPError {
        let detail: String
        switch self {
        case .timedOut(let host, let operation) where operation == "read":  // silence, not a stall
            detail = "no IMAP greeting from \(host)"
        case .protocolViolation, .connectionClosed:
            detail = "no IMAP greeting (\(self))"
        default:
            return self
        }
        return .schemeMismatch(
            host: endpoint.host, port: endpoint.port, detail: detail,
            hint:
                "If port \(endpoint.port) expects TLS from the first byte (usually 993), use imaps://\(endpoint.hostAndPort)"
        )
    }
}
