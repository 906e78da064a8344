/// A mailbox name as the server spelled it, plus its Unicode reading.
///
/// The wire form is kept because it is the only spelling guaranteed to select the same mailbox
/// again, even when a quirky server sends a name that is not valid modified UTF-7.
public struct MailboxName: Hashable, Sendable, CustomStringConvertible {
    /// Bytes exactly as on the wire (modified UTF-7, or UTF-8 under UTF8=ACCEPT).
    public let wireBytes: [UInt8]
    /// Unicode name; nil when `wireBytes` is not valid modified UTF-7.
    public let decoded: String?

    public static let inbox = MailboxName(wire: Array("INBOX".utf8))

    public init(wire bytes: [UInt8]) {
        self.wireBytes = bytes
        self.decoded = try? ModifiedUTF7.decode(bytes)
    }

    /// A name from its Unicode form, encoded in modified UTF-7 for the wire.
    public init(_ unicode: String) {
        self.wireBytes = Array(ModifiedUTF7.encode(unicode).utf8)
        self.decoded = unicode
    }

    /// Readable form: the decoded name, or the raw bytes when they are not decodable.
    public var description: String { decoded ?? String(decoding: wireBytes, as: UTF8.self) }

    /// RFC 3501: INBOX is case-insensitive; every other name is case-sensitive.
    public var isInbox: Bool {
        wireBytes.count == 5 && String(decoding: wireBytes, as: UTF8.self).uppercased() == "INBOX"
    }
}
