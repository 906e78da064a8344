import IMAPClient

extension BatchRow {
    /// The source account as the CSV gives it: implicit TLS, or plain upgraded with STARTTLS.
    public var sourceEndpoint: IMAPEndpoint {
        IMAPEndpoint(
            host: sourceServer, port: sourcePort, user: sourceUser,
            security: sourceTLS ? .implicitTLS : .startTLSWhenOffered)
    }

    /// The target mailbox on the batch's target server (the same for every row).
    public func targetEndpoint(on server: IMAPEndpoint) -> IMAPEndpoint {
        IMAPEndpoint(host: server.host, port: server.port, user: targetUser, security: server.security)
    }
}
