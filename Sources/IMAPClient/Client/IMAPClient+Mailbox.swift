import Foundation
import IMAPCore

extension IMAPClient {
    /// SELECT (or EXAMINE when `readOnly`), with CONDSTORE when the server offers it.
    ///
    /// Dovecot creates `auto = create|subscribe` folders on their first open; when two sessions
    /// open one at once the loser's SELECT fails with NO [ALREADYEXISTS] although the folder now
    /// exists. That answer to a SELECT can only mean this race, so it is tried again.
    /// A SELECT already sent at the end of the last flight (`thenSelect:`) is not sent again.
    @discardableResult
    public func select(_ mailbox: MailboxName, readOnly: Bool = false) throws -> SelectedMailbox {
        if !readOnly, let ahead = selectedAhead, ahead.name == mailbox {
            selectedAhead = nil
            return ahead
        }
        var attempt = 1
        while true {
            do {
                return try selectOnce(mailbox, readOnly: readOnly)
            } catch IMAPError.commandFailed(_, _, _, let response) where response.code == .alreadyExists && attempt < 4
            {
                logger.debug("SELECT \(mailbox): ALREADYEXISTS (the server was creating it); trying again")
                usleep(UInt32(50_000 * attempt))
                attempt += 1
            }
        }
    }

    private func selectOnce(_ mailbox: MailboxName, readOnly: Bool) throws -> SelectedMailbox {
        var state = SelectedMailbox(name: mailbox)
        let condStore = capabilities.contains(.condStore)
        let command: Command =
            readOnly ? .examine(mailbox, condStore: condStore) : .select(mailbox, condStore: condStore)
        let response = try run(command) { event in state.absorb(event) }
        // A failed SELECT leaves no mailbox selected (RFC 3501 §6.3.1), whatever was before.
        if response.status != .ok { selected = nil }
        try requireOK(response, command: command.name, mailbox: mailbox)
        state.isReadOnly = readOnly || response.code == .readOnly
        selected = state
        return state
    }

    /// UIDs matching `criteria` (e.g. `ALL`, `UID 500:*`) in the selected mailbox.
    public func uidSearch(_ criteria: String) throws -> [UInt32] {
        var uids: [UInt32] = []
        try requireOK(
            run(.uidSearch(criteria: criteria)) { event in
                if case .untagged(.search(let found, _)) = event { uids += found }
            }, command: "UID SEARCH", mailbox: selected?.name)
        return uids
    }

    /// Permanently removes messages (UIDPLUS UID EXPUNGE) of the selected mailbox.
    public func uidExpunge(_ uids: UIDSet) throws {
        try requireOK(run(.uidExpunge(uids)), command: "UID EXPUNGE", mailbox: selected?.name)
    }

    /// Sets, adds or removes flags on messages of the selected mailbox.
    public func uidStore(_ uids: UIDSet, _ change: FlagChange, flags: [Flag], unchangedSince: UInt64? = nil) throws {
        try requireOK(
            run(.uidStore(uids, change, flags: flags, silent: true, unchangedSince: unchangedSince)),
            command: "UID STORE", mailbox: selected?.name)
    }

    /// Several UID STOREs (one per flag set) sent together: one round trip for all of them.
    /// The first refusal is thrown once every answer is in; the others were applied.
    /// `thenSelect`: the mailbox to select at the end of the same flight (see `select`).
    public func uidStores(_ stores: [FlagStore], thenSelect next: MailboxName? = nil) throws {
        guard stores.count > 1 || (next != nil && !stores.isEmpty) else {
            if let store = stores.first { try uidStore(store.uids, store.change, flags: store.flags) }
            return
        }
        let connection = try requireConnection()
        let mailbox = selected?.name
        var commands = stores.map {
            (
                currentEncoder.encode(
                    .uidStore($0.uids, $0.change, flags: $0.flags, silent: true, unchangedSince: nil),
                    tag: connection.nextTag()), [AppendRequest]()
            )
        }
        let ahead = selectAhead(next, after: commands.count, on: connection)
        if let ahead { commands.append(ahead.command) }
        let responses: [TaggedResponse]
        do {
            responses = try connection.execute(
                commands,
                onEvent: {
                    try self.observe($0)
                    ahead?.observe($0)
                }, onTagged: { index, _ in ahead?.answered(index) })
        } catch let error as IMAPError where error.scope == .account && error.isTransient {
            dropConnection()
            throw error
        }
        if let ahead { settle(ahead, responses[ahead.index]) }
        for response in responses.prefix(stores.count) {
            try requireOK(response, command: "UID STORE", mailbox: mailbox)
        }
    }
}

/// One UID STORE of a pipelined batch (`IMAPClient.uidStores`).
public struct FlagStore: Sendable, Equatable {
    public var uids: UIDSet
    public var change: FlagChange
    public var flags: [Flag]

    public init(_ uids: UIDSet, _ change: FlagChange, flags: [Flag]) {
        self.uids = uids; self.change = change; self.flags = flags
    }
}
