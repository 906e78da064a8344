/// A mail account on a harness server.
///
/// Dovecot lower-cases logins (`auth_username_format = %Lu`), so `name` is matched
/// case-insensitively; the Maildir lives under the lower-cased name.
public struct DovecotUser: Sendable, Hashable {
    public var name: String
    /// Stored with the `{PLAIN}` scheme; any characters except ':' and control characters.
    public var password: String
    /// Storage quota in bytes; nil means unlimited. Enforced in bytes, but IMAP GETQUOTA
    /// reports KiB, rounded up (2000 bytes show as 2).
    public var quotaBytes: Int?

    public init(name: String, password: String, quotaBytes: Int? = nil) {
        self.name = name
        self.password = password
        self.quotaBytes = quotaBytes
    }
}
