import Batch
import Foundation
import IMAPClient

/// What `serve` needs: where the store is, the target server and how to reach the servers,
/// and the keys that protect the forms.
public struct WebConfiguration: Sendable {
    public var storeRoot: String
    public var targetServer: IMAPEndpoint
    /// The client set-up of each side (CA files, timeouts, plaintext policy).
    public var configure: @Sendable (IMAPEndpoint, _ isSource: Bool) -> IMAPClientConfiguration
    /// Builds the provisioner that creates mailboxes whose row asks for it, with the form's
    /// administrator login (the CLI wires --provisioner here); nil: such rows are refused.
    public var makeProvisioner:
        (@Sendable (_ adminUser: String?, _ adminPassword: String?) throws -> MailboxProvisioner)?
    public var concurrency = 4
    /// A shared batch database (PostgreSQL) whose workers run the batches; nil: SQLite in the
    /// store, and this process runs them.
    public var sharedStore: (any BatchStore)?
    /// The key credentials are sealed with (nil: MAILFERRY_SECRET_KEY or the store's key file).
    public var secretBox: SecretBox?
    public var perHostConnections = 8
    /// The key of the CSRF tokens (HMAC-SHA256); 32 random bytes per process is enough: a
    /// restarted server only asks for the form to be loaded again.
    public var csrfKey: [UInt8]
    /// The largest request body: an uploaded CSV of 5,000 lines is well under 1 MiB.
    public var maxBodyBytes = 4 * 1024 * 1024
    /// Ask this DNS server (dns-check) about the batch's domains; nil: resolv.conf's.
    public var dnsServer: String?
    /// Called when a batch run ends (the report email); the CLI wires its SMTP settings here.
    public var onBatchEnded: (@Sendable (BatchRecord, [BatchJob], BatchWebAccess, Date) -> Void)?

    /// Mark the session cookie Secure (serving HTTPS).
    public var secureCookies = false
    /// Rows the empty form starts with (`demo --web` fills in its own servers); passwords are
    /// never pre-filled.
    public var prefill: [PrefilledMailbox] = []
    public var prefillReportTo = ""

    public init(
        storeRoot: String, targetServer: IMAPEndpoint,
        configure: @escaping @Sendable (IMAPEndpoint, Bool) -> IMAPClientConfiguration,
        csrfKey: [UInt8] = WebConfiguration.randomKey()
    ) {
        self.storeRoot = storeRoot; self.targetServer = targetServer; self.configure = configure
        self.csrfKey = csrfKey
    }

    public static func randomKey() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in generator.next() }
    }
}

/// A mailbox row the form starts with.
public struct PrefilledMailbox: Sendable, Equatable {
    public var server: String
    public var port: Int
    public var tls: Bool
    public var sourceEmail: String
    public var targetEmail: String

    public init(server: String, port: Int, tls: Bool = true, sourceEmail: String, targetEmail: String) {
        self.server = server; self.port = port; self.tls = tls; self.sourceEmail = sourceEmail
        self.targetEmail = targetEmail
    }
}
