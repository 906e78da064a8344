import IMAPCore
import Testing

// Shared helpers for the parser tests: feeding bytes, collecting events, and short builders
// for the expected events so the fixture tables stay readable.

/// UTF-8 bytes of wire text ("ž" is two bytes, "\r\n" two).
func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

/// Joins response lines, ending each with CRLF.
func wire(_ lines: String...) -> String { lines.map { $0 + "\r\n" }.joined() }

/// `{n}` CRLF text, with n counted in UTF-8 bytes so the tables cannot get a size wrong.
func literal(_ text: String) -> String { "{\(text.utf8.count)}\r\n" + text }

/// `~{n}` CRLF bytes: a literal8 (RFC 3516) as the server sends it for BINARY[].
func literal8(_ text: String) -> String { "~{\(text.utf8.count)}\r\n" + text }

/// Pulls every event the parser can produce from what it has been given; copies body slices.
func drain(_ parser: inout ResponseParser, limit: Int = 100_000) throws -> [ResponseEvent] {
    var events: [ResponseEvent] = []
    while let event = try parser.next() {
        if case .bodyBytes(let slice) = event {
            events.append(.bodyBytes(ArraySlice(Array(slice))))
        } else {
            events.append(event)
        }
        if events.count >= limit {
            Issue.record("parser produced more than \(limit) events without asking for more bytes")
            break
        }
    }
    return events
}

/// Feeds the chunks in order, draining after each, like a connection reading from a socket.
func parse(
    chunks: [[UInt8]], literalSizeLimit: Int = 64 * 1024,
    responseSizeLimit: Int = 8 * 1024 * 1024
) throws -> (events: [ResponseEvent], parser: ResponseParser) {
    var parser = ResponseParser(literalSizeLimit: literalSizeLimit, responseSizeLimit: responseSizeLimit)
    var events: [ResponseEvent] = []
    for chunk in chunks {
        parser.append(chunk)
        events += try drain(&parser)
    }
    return (events, parser)
}

/// Body bytes may arrive in any number of pieces: merge adjacent pieces and drop empty ones so
/// runs with different chunkings compare equal when they carry the same bytes.
func normalized(_ events: [ResponseEvent]) -> [ResponseEvent] {
    var result: [ResponseEvent] = []
    for event in events {
        guard case .bodyBytes(let slice) = event else { result.append(event); continue }
        if slice.isEmpty { continue }
        if case .bodyBytes(let previous)? = result.last {
            result[result.count - 1] = .bodyBytes(ArraySlice(Array(previous) + Array(slice)))
        } else {
            result.append(.bodyBytes(ArraySlice(Array(slice))))
        }
    }
    return result
}

/// True when `partial` (normalized) is what a correct parser may have said after seeing only a
/// prefix of the input: a prefix of `full`, whose last event may be the start of a body piece.
func isCompatiblePrefix(_ partial: [ResponseEvent], of full: [ResponseEvent]) -> Bool {
    guard partial.count <= full.count else { return false }
    for (index, event) in partial.enumerated() where event != full[index] {
        guard index == partial.count - 1,
            case .bodyBytes(let got) = event, case .bodyBytes(let whole) = full[index],
            whole.starts(with: got)
        else { return false }
    }
    return true
}

/// The concatenated body bytes of a run, and everything else.
func splitBody(_ events: [ResponseEvent]) -> (body: [UInt8], others: [ResponseEvent]) {
    var body: [UInt8] = []
    var others: [ResponseEvent] = []
    for event in events {
        if case .bodyBytes(let slice) = event { body += slice } else { others.append(event) }
    }
    return (body, others)
}

// MARK: - Builders for expected events

func untagged(_ response: UntaggedResponse) -> ResponseEvent { .untagged(response) }

func cond(_ kind: ResponseCondition.Kind, _ code: ResponseCode?, _ text: String) -> ResponseEvent {
    .untagged(.condition(ResponseCondition(kind: kind, code: code, text: text)))
}

func tagged(_ tag: String, _ status: ResponseStatus, _ code: ResponseCode?, _ text: String) -> ResponseEvent {
    .tagged(TaggedResponse(tag: tag, status: status, code: code, text: text))
}

func mailbox(_ wire: String) -> MailboxName { MailboxName(wire: Array(wire.utf8)) }

func listing(_ attributes: [String], _ separator: Character?, _ wire: String) -> MailboxListing {
    MailboxListing(attributes: attributes, separator: separator, name: mailbox(wire))
}

func caps(_ names: String) -> [Capability] { names.split(separator: " ").map { Capability(String($0)) } }

func body(_ text: String) -> ResponseEvent { .bodyBytes(ArraySlice(Array(text.utf8))) }

func section(_ item: String, _ section: String = "", origin: Int? = nil) -> BodySection {
    BodySection(item: item, section: section, origin: origin)
}

/// bodyStart, the bytes, bodyEnd for a body carried by `text`.
func bodyEvents(_ item: String, _ part: String, origin: Int? = nil, _ text: String) -> [ResponseEvent] {
    [.bodyStart(section(item, part, origin: origin), size: text.utf8.count), body(text), .bodyEnd]
}

/// The same for the whole message (`BODY[]`, `BINARY[]`, `RFC822`).
func bodyEvents(_ item: String, _ text: String) -> [ResponseEvent] { bodyEvents(item, "", text) }

/// The same for a partial whole message (`BODY[]<origin>`).
func bodyEvents(_ item: String, origin: Int, _ text: String) -> [ResponseEvent] {
    bodyEvents(item, "", origin: origin, text)
}

func str(_ text: String) -> IMAPValue { .string(Array(text.utf8)) }

func date(_ text: String) -> InternalDate {
    guard let value = InternalDate(text) else { preconditionFailure("bad test date \(text)") }
    return value
}

func status(
    messages: Int? = nil, recent: Int? = nil, uidNext: UInt32? = nil, uidValidity: UInt32? = nil,
    unseen: Int? = nil, size: Int64? = nil, highestModSeq: UInt64? = nil
) -> MailboxStatus {
    var status = MailboxStatus()
    status.messages = messages; status.recent = recent; status.uidNext = uidNext
    status.uidValidity = uidValidity; status.unseen = unseen; status.size = size
    status.highestModSeq = highestModSeq
    return status
}
