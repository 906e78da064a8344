/// Creates target mailboxes for batch lines with `create_mailbox`. An existing mailbox is
/// success; a failure is that job's (class `provisioning`), the batch goes on.
public protocol MailboxProvisioner: Sendable {
    func ensureMailbox(address: String, password: String) async throws -> ProvisionResult
    /// Whether the administrator credentials would be accepted for `address`, changing nothing
    /// (`batch check`); throws `ProvisioningFailed` when they are refused.
    func checkAccess(for address: String) async throws -> AdminAccess
}

public enum ProvisionResult: String, Sendable, Equatable {
    case created, existed
}

public enum AdminAccess: Sendable, Equatable {
    case accepted
    /// The provisioner has no request that tests the rights without creating anything.
    case notCheckable
}

/// Why a mailbox could not be created, worded for the batch's status and report; never a password.
public struct ProvisioningFailed: Error, CustomStringConvertible, Equatable {
    public var address: String
    public var reason: String
    public var description: String { "cannot create the mailbox \(address): \(reason)" }
}
