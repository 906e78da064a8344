import Foundation

/// PEM files for the server's TLS: its certificate, its key and the CA that issued it.
public struct CustomCertificate: Sendable {
    public var certificateFile: String
    public var keyFile: String
    public var caFile: String
    public init(certificateFile: String, keyFile: String, caFile: String) {
        self.certificateFile = certificateFile; self.keyFile = keyFile; self.caFile = caFile
    }
}

public struct DovecotConfiguration: Sendable {
    public static let defaultSpecialUseFolders: [String: String] = [
        "Sent": "\\Sent", "Drafts": "\\Drafts", "Trash": "\\Trash", "Junk": "\\Junk", "Archive": "\\Archive",
    ]

    public var users: [DovecotUser]
    /// The namespace's hierarchy separator: "." or "/". Both work with the `LAYOUT=fs` Maildir,
    /// which keeps folders as nested directories whatever the IMAP separator is; with "/" a
    /// folder name may also contain ".".
    public var hierarchySeparator: Character
    /// Whether the plain port advertises STARTTLS. When false it offers none at all and accepts
    /// LOGIN in the clear; the implicit-TLS port works either way.
    public var offersSTARTTLS: Bool
    /// Mailboxes Dovecot creates and subscribes on first use, with their SPECIAL-USE attributes
    /// (e.g. `["Sent Items": "\\Sent"]`). Names use `hierarchySeparator` for nesting.
    public var specialUseFolders: [String: String]
    /// IPv4 loopback address to listen on. Dovecot treats a connection whose client and server
    /// addresses are equal as secure, so on 127.0.0.1 it ignores `disable_plaintext_auth` and
    /// never sends LOGINDISABLED. Listening on e.g. "127.0.0.2" (clients still connect from
    /// 127.0.0.1) makes the plain port refuse LOGIN before STARTTLS.
    public var listenAddress: String
    /// The personal namespace's prefix: "" (Dovecot's default) or e.g. "INBOX." — what
    /// Courier-IMAP and many hosting set-ups look like: every folder listed as `INBOX.Name`.
    public var namespacePrefix: String
    /// A certificate of the test's own instead of the harness CA's, e.g. an expired one. The
    /// start-up check then only waits for the greeting; it does not verify the certificate.
    public var customCertificate: CustomCertificate?
    /// Appended verbatim to the generated dovecot.conf; later settings override earlier ones.
    public var extraSettings: String
    /// How long `start` waits for both ports to greet.
    public var startTimeout: TimeInterval
    /// COMPRESS=DEFLATE (RFC 4978) through Dovecot's imap_zlib plugin.
    public var offersCompression = false

    public init(
        users: [DovecotUser] = [],
        hierarchySeparator: Character = ".",
        offersSTARTTLS: Bool = true,
        specialUseFolders: [String: String] = DovecotConfiguration.defaultSpecialUseFolders,
        listenAddress: String = "127.0.0.1",
        namespacePrefix: String = "",
        extraSettings: String = "",
        startTimeout: TimeInterval = 10
    ) {
        self.users = users
        self.hierarchySeparator = hierarchySeparator
        self.offersSTARTTLS = offersSTARTTLS
        self.specialUseFolders = specialUseFolders
        self.listenAddress = listenAddress
        self.namespacePrefix = namespacePrefix
        self.extraSettings = extraSettings
        self.startTimeout = startTimeout
    }
}
