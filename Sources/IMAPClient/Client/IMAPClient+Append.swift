import IMAPCore

extension IMAPClient {
    /// Uploads messages to `mailbox`, pipelined: with LITERAL+ no command waits for the one
    /// before it. With MULTIAPPEND and `batchSize > 1`, several messages share one command
    /// (and succeed or fail together, as RFC 3502 says). Outcomes come back in request order.
    /// `onBodyBytes` is told how many body bytes went out after each chunk, for progress;
    /// `onOutcome` gets each request's outcome (by its index) as the server answers, so what
    /// the server confirmed is known even when the link breaks before the last answer.
    ///
    /// `storesFirst` are UID STOREs on the selected mailbox sent ahead of the APPENDs in the same
    /// flight, saving a folder's flag changes their own round trip; one the server refuses
    /// fails the call as `UID STORE` once every APPEND has been answered (and reported).
    /// `thenSelect`: the mailbox to select at the end of the same flight (see `select`).
    public func append(
        _ requests: [AppendRequest], to mailbox: MailboxName, multiAppendBatchSize: Int = 1,
        storesFirst: [FlagStore] = [], thenSelect next: MailboxName? = nil,
        onBodyBytes: (@Sendable (Int) -> Void)? = nil, onOutcome: (@Sendable (Int, AppendOutcome) -> Void)? = nil
    ) throws -> [AppendOutcome] {
        let connection = try requireConnection()
        connection.onBodyBytes = onBodyBytes
        defer { connection.onBodyBytes = nil }
        let encoder = currentEncoder
        let batchSize = capabilities.contains(.multiAppend) ? max(1, multiAppendBatchSize) : 1
        let batches = stride(from: 0, to: requests.count, by: batchSize).map {
            Array(requests[$0..<min($0 + batchSize, requests.count)])
        }
        let stores = storesFirst.map { store -> (EncodedCommand, [AppendRequest]) in
            let command = Command.uidStore(
                store.uids, store.change, flags: store.flags, silent: true, unchangedSince: nil)
            return (encoder.encode(command, tag: connection.nextTag()), [])
        }
        let appends = batches.map { batch -> (EncodedCommand, [AppendRequest]) in
            let messages = batch.map { AppendMessage(flags: $0.flags, internalDate: $0.internalDate, size: $0.size) }
            return (encoder.encode(.append(mailbox, messages: messages), tag: connection.nextTag()), batch)
        }
        let storeCount = stores.count
        let selectedMailbox = selected?.name
        let ahead = selectAhead(next, after: stores.count + appends.count, on: connection)
        let responses = try connection.execute(
            stores + appends + (ahead.map { [$0.command] } ?? []),
            onEvent: { event in
                try observe(event)
                ahead?.observe(event)
            },
            onTagged: { index, response in
                ahead?.answered(index)
                guard let onOutcome, index >= storeCount, index < storeCount + batches.count else { return }
                let batch = index - storeCount
                for (offset, outcome) in Self.outcomes(of: response, count: batches[batch].count).enumerated() {
                    onOutcome(batch * batchSize + offset, outcome)
                }
            })
        if let ahead { settle(ahead, responses[ahead.index]) }
        for response in responses.prefix(storeCount) {
            try requireOK(response, command: "UID STORE", mailbox: selectedMailbox)
        }
        return zip(batches, responses.dropFirst(storeCount)).flatMap { batch, response in
            Self.outcomes(of: response, count: batch.count)
        }
    }

    /// One command's outcome for each of its `count` messages.
    private static func outcomes(of response: TaggedResponse, count: Int) -> [AppendOutcome] {
        guard response.status == .ok else { return Array(repeating: .refused(response), count: count) }
        if case .appendUID(let validity, let uids)? = response.code, uids.count == count {
            return uids.uids.map { .appended(uidValidity: validity, uid: $0) }
        }
        return Array(repeating: .appended(uidValidity: nil, uid: nil), count: count)
    }
}
