import Foundation
import IMAPClient
import Migration

/// `batch check`: every source login and every target login of a valid batch file, a few at a
/// time, copying nothing — the "Test connections" of the provider's form.
public struct BatchCheck: Sendable {
    public struct Line: Sendable, Equatable {
        public var row: BatchRow
        public var source: LoginCheck
        public var target: LoginCheck
        public var isOK: Bool { source.isOK && target.isOK }
    }

    public var targetServer: IMAPEndpoint
    /// The client set-up of each side (CA files, timeouts, plaintext policy).
    public var configure: @Sendable (IMAPEndpoint, _ isSource: Bool) -> IMAPClientConfiguration
    /// Logins at once: a check of 5,000 rows must not hammer a source server.
    public var concurrency: Int
    /// What creates a missing target mailbox whose line asks for it; without one such a line
    /// fails the check. Its admin access is tried once per domain.
    public var provisioner: MailboxProvisioner?

    public init(
        targetServer: IMAPEndpoint, concurrency: Int = 8,
        configure: @escaping @Sendable (IMAPEndpoint, Bool) -> IMAPClientConfiguration
    ) {
        self.targetServer = targetServer; self.concurrency = max(1, concurrency); self.configure = configure
    }

    public func run(_ rows: [BatchRow]) async -> [Line] {
        let adminAccess = AdminAccessCache()
        return await withTaskGroup(of: (Int, Line).self) { group in
            var results: [Int: Line] = [:]
            var next = 0
            func start(_ index: Int) {
                let row = rows[index]
                group.addTask { [self] in
                    async let source = LoginCheck.attempt(
                        configure(row.sourceEndpoint, true), password: row.sourcePassword)
                    async let target = LoginCheck.attempt(
                        configure(row.targetEndpoint(on: targetServer), false), password: row.targetPassword,
                        creatable: row.createMailbox)
                    var targetCheck = await target
                    if targetCheck == .toBeCreated {
                        targetCheck = await adminAccess.check(row.targetUser, provisioner: provisioner)
                    }
                    return (index, Line(row: row, source: await source, target: targetCheck))
                }
            }
            while next < min(concurrency, rows.count) { start(next); next += 1 }
            for await (index, line) in group {
                results[index] = line
                if next < rows.count { start(next); next += 1 }
            }
            return rows.indices.compactMap { results[$0] }
        }
    }
}

/// The admin access each domain's provisioner grants, asked once per domain however many lines
/// of a 5,000-line file are to be created there.
actor AdminAccessCache {
    private var byDomain: [String: Task<LoginCheck, Never>] = [:]

    func check(_ address: String, provisioner: MailboxProvisioner?) async -> LoginCheck {
        guard let provisioner else {
            return .failed(
                .provisioning, message: "\(address) does not exist on the target (or refuses this password)",
                hint:
                    "to create it, give batch a provisioner (--provisioner CONFIG --admin USER); else fix the password")
        }
        let domain = address.split(separator: "@").last.map { $0.lowercased() } ?? ""
        if let known = byDomain[domain] { return await known.value }
        let asking = Task { await Self.ask(provisioner, address: address) }
        byDomain[domain] = asking
        return await asking.value
    }

    private static func ask(_ provisioner: MailboxProvisioner, address: String) async -> LoginCheck {
        do {
            _ = try await provisioner.checkAccess(for: address)
            return .toBeCreated
        } catch let failure as ProvisioningFailed {
            return .failed(
                .provisioning, message: failure.reason,
                hint: "check the administrator login (--admin), its password and the provisioner configuration")
        } catch {
            return .failed(.provisioning, message: "\(error)", hint: "check the provisioner configuration")
        }
    }
}
