/// Creates target mailboxes for batch lines with `create_mailbox`. An existing mailbox is
/// success; a failure is that job's (class `provisioning`), the batch goes on.
public protocol MailboxProvisioner: Sendable {
    func ensureMailbox(address: String, password: String) async throws -> ProvisionResult
}

public enum ProvisionResult: String, Sendable, Equatable {
    case created, existed
}

/// Why a mailbox could not be created, worded for the batch's status and report; never a password.
public struct ProvisioningFailed: Error, CustomStringConvertible, Equatable {
    public var address: String
    public var reason: String
    public var description: String { "cannot create the mailbox \(address): \(reason)" }
}
