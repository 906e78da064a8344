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
    /// Whether a missing target mailbox can be created (a provisioner is configured). Until
    /// provisioners exist, a missing mailbox is a failure even where its line asks to create it.
    public var canCreateMailboxes = false

    public init(
        targetServer: IMAPEndpoint, concurrency: Int = 8,
        configure: @escaping @Sendable (IMAPEndpoint, Bool) -> IMAPClientConfiguration
    ) {
        self.targetServer = targetServer; self.concurrency = max(1, concurrency); self.configure = configure
    }

    public func run(_ rows: [BatchRow]) async -> [Line] {
        await withTaskGroup(of: (Int, Line).self) { group in
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
                    if targetCheck == .toBeCreated && !canCreateMailboxes {
                        targetCheck = .failed(
                            .provisioning,
                            message: "\(row.targetUser) does not exist on the target (or refuses this password)",
                            hint:
                                "creating mailboxes needs a provisioner, which this version does not have yet: create it, or fix the password"
                        )
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
