/// CloudMail's host names, in one place: what the provider's guide tells admins to point their
/// names at. The MX hosts are patterns: `*.vshosting.cloud` matches any host under it.
public struct CloudMailHosts: Sendable, Equatable, Codable {
    public var imap: String
    public var smtp: String
    /// Where `pop3.DOMAIN` should lead: the mailbox server, as for IMAP.
    public var pop3: String
    public var mx: [String]

    public static let defaults = CloudMailHosts(
        imap: "mda.vshosting.cloud", smtp: "msa.vshosting.cloud", pop3: "mda.vshosting.cloud",
        mx: ["*.vshosting.cloud"])

    public init(imap: String, smtp: String, pop3: String, mx: [String]) {
        self.imap = imap; self.smtp = smtp; self.pop3 = pop3; self.mx = mx
    }

    public func isCloudMailMX(_ host: String) -> Bool {
        let host = canonicalHost(host)
        return mx.contains { pattern in
            let pattern = canonicalHost(pattern)
            if pattern.hasPrefix("*.") { return host.hasSuffix(String(pattern.dropFirst(1))) }
            return host == pattern
        }
    }
}
