import IMAPCore

extension IMAPClient {
    /// The items mailferry fetches to copy a message: never `BODY[]`, which would set `\Seen`.
    public static let messageItems = ["UID", "FLAGS", "INTERNALDATE", "RFC822.SIZE", "BODY.PEEK[]"]

    /// UID FETCH over one or more UID sets, pipelined: every set's command is sent before the
    /// first reply is read, and each response streams into `sink` as it arrives.
    public func uidFetch(_ sets: [UIDSet], items: [String], changedSince: UInt64? = nil, into sink: FetchSink) throws {
        if sets.count > 1, linkAwaitsJudgement {
            // A whole folder streams in one pipeline, and COMPRESS must wait until it is over:
            // the first set alone shows what the link carries, so the rest can come compressed.
            try uidFetch(Array(sets.prefix(1)), items: items, changedSince: changedSince, into: sink)
            try compressIfSlowLink(judgingNow: true)
            return try uidFetch(Array(sets.dropFirst()), items: items, changedSince: changedSince, into: sink)
        }
        let connection = try requireConnection()
        let encoder = currentEncoder
        let commands = sets.map {
            (
                encoder.encode(.uidFetch($0, items: items, changedSince: changedSince), tag: connection.nextTag()),
                [AppendRequest]()
            )
        }
        var assembler = FetchEventAssembler()
        let responses = try connection.execute(commands) { event in
            if try !assembler.take(event, into: sink) { try observe(event) }
        }
        for response in responses where response.status != .ok {
            throw IMAPError.commandFailed(
                host: configuration.endpoint.host, command: "UID FETCH", mailbox: selected?.name.description,
                response: response)
        }
    }

    /// Attributes only (no bodies): UID, FLAGS, INTERNALDATE, RFC822.SIZE for a UID range.
    public func uidFetchAttributes(
        _ set: UIDSet, items: [String] = ["UID", "FLAGS", "INTERNALDATE", "RFC822.SIZE"],
        changedSince: UInt64? = nil
    ) throws -> [FetchedMessage] {
        let collector = AttributeCollector()
        try uidFetch([set], items: items, changedSince: changedSince, into: collector)
        return collector.messages
    }
}

/// Gathers attribute-only FETCH results; bodies, if any, are ignored.
final class AttributeCollector: FetchSink, @unchecked Sendable {
    var messages: [FetchedMessage] = []
    func beginBody(_ section: BodySection, size: Int, of message: FetchedMessage) throws {}
    func appendBody(_ bytes: ArraySlice<UInt8>) throws {}
    func endBody() throws {}
    func finishMessage(_ message: FetchedMessage) throws { messages.append(message) }
}

/// Turns FETCH response events into messages handed to a sink, bodies streamed as they come.
struct FetchEventAssembler {
    private var message: FetchedMessage?

    /// False for an event that is not part of a FETCH response.
    mutating func take(_ event: ResponseEvent, into sink: FetchSink) throws -> Bool {
        switch event {
        case .fetchStart(let sequenceNumber): message = FetchedMessage(sequenceNumber: sequenceNumber)
        case .fetchAttribute(let attribute): message?.absorb(attribute)
        case .bodyStart(let section, let size):
            if let current = message { try sink.beginBody(section, size: size, of: current) }
        case .bodyBytes(let bytes): try sink.appendBody(bytes)
        case .bodyEnd: try sink.endBody()
        case .fetchEnd:
            if let finished = message { try sink.finishMessage(finished) }
            message = nil
        default: return false
        }
        return true
    }
}
