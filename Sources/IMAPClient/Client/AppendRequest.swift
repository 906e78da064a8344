import IMAPCore

/// One message to upload: where its bytes come from, and its flags and date.
public struct AppendRequest: Sendable {
    public enum Body: Sendable {
        /// A file streamed in chunks (the normal case: a Maildir file).
        case file(path: String)
        /// Bytes in memory, for small messages and tests.
        case bytes([UInt8])
    }

    public var body: Body
    public var size: Int
    public var flags: [Flag]
    public var internalDate: InternalDate?

    public init(body: Body, size: Int, flags: [Flag], internalDate: InternalDate?) {
        self.body = body; self.size = size; self.flags = flags; self.internalDate = internalDate
    }

    public init(bytes: [UInt8], flags: [Flag] = [], internalDate: InternalDate? = nil) {
        self.init(body: .bytes(bytes), size: bytes.count, flags: flags, internalDate: internalDate)
    }
}

/// What became of one APPEND.
public enum AppendOutcome: Sendable, Equatable {
    /// Stored; UIDVALIDITY and UID when the server has UIDPLUS.
    case appended(uidValidity: UInt32?, uid: UInt32?)
    /// The server said NO (TOOBIG, OVERQUOTA, TRYCREATE, malformed …).
    case refused(TaggedResponse)
}
