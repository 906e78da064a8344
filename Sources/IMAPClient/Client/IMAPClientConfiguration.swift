import IMAPCore

/// Everything needed to open and log in to one IMAP account, except the password.
public struct IMAPClientConfiguration: Sendable {
    public var endpoint: IMAPEndpoint
    public var tls: TLSConfiguration
    /// Send the password over an unencrypted link when the server offers no STARTTLS.
    public var allowsPlaintextLogin: Bool
    public var timeouts: Timeouts
    /// Which login command to use; `.automatic` prefers AUTHENTICATE PLAIN when offered.
    public var authentication: AuthenticationMechanism = .automatic
    /// Sent with ID when the server supports it, so admins can see who connects.
    public var clientIdentity: [IDParameter]
    /// COMPRESS=DEFLATE after login: always, never, or when the link looks far.
    public var linkCompression: LinkCompression = .auto

    public init(
        endpoint: IMAPEndpoint, tls: TLSConfiguration = TLSConfiguration(), allowsPlaintextLogin: Bool = false,
        timeouts: Timeouts = Timeouts(), clientIdentity: [IDParameter] = [IDParameter(key: "name", value: "mailferry")]
    ) {
        self.endpoint = endpoint; self.tls = tls; self.allowsPlaintextLogin = allowsPlaintextLogin
        self.timeouts = timeouts; self.clientIdentity = clientIdentity
    }
}

/// The login mechanisms mailferry speaks.
public enum AuthenticationMechanism: String, Sendable {
    case automatic
    case login
    case plain
}

/// Whether to compress the link (RFC 4978) when the server offers COMPRESS=DEFLATE.
public enum LinkCompression: String, Sendable, CaseIterable {
    /// Once a connection has moved `sampleBytes`: when the server is far (a round trip of
    /// `farLinkSeconds` or more) and the link slow (below `slowLinkBytesPerSecond` for the
    /// connection, where zlib at its fastest level keeps up with plenty to spare). Never on a
    /// LAN or a fast WAN link, where compressing would cost more time than it saves.
    case auto
    case on
    case off

    public static let farLinkSeconds = 0.02
    public static let slowLinkBytesPerSecond = 8e6
    public static let sampleBytes = 4 << 20
}
