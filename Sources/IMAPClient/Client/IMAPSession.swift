import IMAPCore

/// What a folder's pull or push needs of a logged-in connection. `IMAPClient` is the real one;
/// tests drive the folder workers with a scripted session to reach cases no server produces
/// on demand (a stop between two messages of one FETCH, a message without INTERNALDATE).
public protocol IMAPSession: AnyObject, Sendable {
    var capabilities: Set<Capability> { get async }
    func select(_ mailbox: MailboxName, readOnly: Bool) async throws -> SelectedMailbox
    func uidSearch(_ criteria: String) async throws -> [UInt32]
    /// EXAMINE, UID SEARCH ALL and, with `changedSince`, the flags changed since then; with
    /// `prefetch`, bodies of the generation the caller expects, all in one round trip.
    func survey(_ mailbox: MailboxName, changedSince: UInt64?, prefetch: SurveyPrefetch?) async throws -> FolderSurvey
    func uidFetch(_ sets: [UIDSet], items: [String], changedSince: UInt64?, into sink: FetchSink) async throws
    func uidFetchAttributes(_ set: UIDSet, items: [String], changedSince: UInt64?) async throws -> [FetchedMessage]
    /// APPENDs, pipelined, after `storesFirst` (UID STOREs on the selected mailbox) in the same
    /// flight; `thenSelect` is selected at its end, and the next `select` of it costs no round trip.
    func append(
        _ requests: [AppendRequest], to mailbox: MailboxName, multiAppendBatchSize: Int, storesFirst: [FlagStore],
        thenSelect: MailboxName?, onBodyBytes: (@Sendable (Int) -> Void)?,
        onOutcome: (@Sendable (Int, AppendOutcome) -> Void)?
    ) async throws -> [AppendOutcome]
    func create(_ mailbox: MailboxName) async throws
    func subscribe(_ mailbox: MailboxName) async throws
    func uidStore(_ uids: UIDSet, _ change: FlagChange, flags: [Flag], unchangedSince: UInt64?) async throws
    func uidStores(_ stores: [FlagStore], thenSelect: MailboxName?) async throws
    func uidExpunge(_ uids: UIDSet) async throws
}

extension IMAPClient: IMAPSession {}

/// The defaults `IMAPClient`'s own methods have.
extension IMAPSession {
    public func select(_ mailbox: MailboxName) async throws -> SelectedMailbox {
        try await select(mailbox, readOnly: false)
    }

    public func survey(_ mailbox: MailboxName, changedSince: UInt64?) async throws -> FolderSurvey {
        try await survey(mailbox, changedSince: changedSince, prefetch: nil)
    }

    public func uidFetch(_ sets: [UIDSet], items: [String], into sink: FetchSink) async throws {
        try await uidFetch(sets, items: items, changedSince: nil, into: sink)
    }

    public func uidFetchAttributes(_ set: UIDSet, items: [String]) async throws -> [FetchedMessage] {
        try await uidFetchAttributes(set, items: items, changedSince: nil)
    }

    public func append(
        _ requests: [AppendRequest], to mailbox: MailboxName, onBodyBytes: (@Sendable (Int) -> Void)?
    ) async throws -> [AppendOutcome] {
        try await append(
            requests, to: mailbox, multiAppendBatchSize: 1, storesFirst: [], thenSelect: nil, onBodyBytes: onBodyBytes,
            onOutcome: nil)
    }

    public func append(
        _ requests: [AppendRequest], to mailbox: MailboxName, multiAppendBatchSize: Int,
        onBodyBytes: (@Sendable (Int) -> Void)?, onOutcome: (@Sendable (Int, AppendOutcome) -> Void)?
    ) async throws -> [AppendOutcome] {
        try await append(
            requests, to: mailbox, multiAppendBatchSize: multiAppendBatchSize, storesFirst: [], thenSelect: nil,
            onBodyBytes: onBodyBytes, onOutcome: onOutcome)
    }

    public func append(
        _ requests: [AppendRequest], to mailbox: MailboxName, onBodyBytes: (@Sendable (Int) -> Void)?,
        onOutcome: (@Sendable (Int, AppendOutcome) -> Void)?
    ) async throws -> [AppendOutcome] {
        try await append(
            requests, to: mailbox, multiAppendBatchSize: 1, onBodyBytes: onBodyBytes, onOutcome: onOutcome)
    }

    public func uidStore(_ uids: UIDSet, _ change: FlagChange, flags: [Flag]) async throws {
        try await uidStore(uids, change, flags: flags, unchangedSince: nil)
    }

    public func uidStores(_ stores: [FlagStore]) async throws {
        try await uidStores(stores, thenSelect: nil)
    }
}
