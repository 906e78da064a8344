import IMAPCore

/// The attributes of one FETCH response, gathered while its body streamed elsewhere.
public struct FetchedMessage: Sendable, Hashable {
    public var sequenceNumber: Int
    public var uid: UInt32?
    public var flags: [Flag]?
    public var internalDate: InternalDate?
    public var rfc822Size: Int?
    public var modSeq: UInt64?
    public var others: [String: IMAPValue] = [:]

    public init(sequenceNumber: Int) { self.sequenceNumber = sequenceNumber }

    mutating func absorb(_ attribute: FetchAttribute) {
        switch attribute {
        case .uid(let value): uid = value
        case .flags(let value): flags = value
        case .internalDate(let value): internalDate = value
        case .rfc822Size(let value): rfc822Size = value
        case .modSeq(let value): modSeq = value
        case .other(let name, let value): others[name] = value
        }
    }
}

/// Receives a FETCH as it streams, on the connection's thread. Bodies arrive in pieces: write
/// them to a file or hash them, never collect whole messages.
public protocol FetchSink: AnyObject, Sendable {
    func beginBody(_ section: BodySection, size: Int, of message: FetchedMessage) throws
    func appendBody(_ bytes: ArraySlice<UInt8>) throws
    func endBody() throws
    /// Called after the closing parenthesis with every attribute of the response.
    func finishMessage(_ message: FetchedMessage) throws
}
