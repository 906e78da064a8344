/// What the response parser yields, one at a time.
///
/// FETCH responses are not returned whole: a message body is announced with its size, handed
/// over in pieces as they arrive, and closed, so no body ever has to sit in memory.
public enum ResponseEvent: Hashable, Sendable {
    case untagged(UntaggedResponse)
    case tagged(TaggedResponse)
    /// `+ text` — the server waits for a literal or a SASL step.
    case continuation(String)
    case fetchStart(sequenceNumber: Int)
    case fetchAttribute(FetchAttribute)
    /// Start of `BODY[section]<origin>` (or `BINARY[…]`, `RFC822`, …) with its byte count.
    case bodyStart(BodySection, size: Int)
    /// Some of the body; valid only until the next call into the parser.
    case bodyBytes(ArraySlice<UInt8>)
    case bodyEnd
    case fetchEnd
}

/// Which part of a message a streamed body is.
public struct BodySection: Hashable, Sendable, CustomStringConvertible {
    /// Item name as sent: `BODY`, `BINARY`, `RFC822`, `RFC822.HEADER`, `RFC822.TEXT`.
    public let item: String
    /// Section text between the brackets: "" for the whole message, `HEADER.FIELDS (MESSAGE-ID)`.
    public let section: String
    /// Partial origin `<n>` when the server sent one.
    public let origin: Int?

    public init(item: String, section: String, origin: Int?) {
        self.item = item; self.section = section; self.origin = origin
    }

    /// True for the full message: `BODY[]`, `BINARY[]` or `RFC822`.
    public var isWholeMessage: Bool {
        (section.isEmpty && origin == nil) && item != "RFC822.HEADER" && item != "RFC822.TEXT"
    }

    public var description: String {
        if item.hasPrefix("RFC822") { return item }
        return "\(item)[\(section)]" + (origin.map { "<\($0)>" } ?? "")
    }
}
