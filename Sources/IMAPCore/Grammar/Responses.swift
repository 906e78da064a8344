/// OK / NO / BAD as found in tagged and untagged status responses.
public enum ResponseStatus: String, Hashable, Sendable {
    case ok = "OK", no = "NO", bad = "BAD"
}

/// The tagged completion of a command.
public struct TaggedResponse: Hashable, Sendable {
    public let tag: String
    public let status: ResponseStatus
    public let code: ResponseCode?
    public let text: String

    public init(tag: String, status: ResponseStatus, code: ResponseCode?, text: String) {
        self.tag = tag; self.status = status; self.code = code; self.text = text
    }
}

/// `* OK`, `* NO`, `* BAD`, `* PREAUTH` and `* BYE` carry a code and human text.
public struct ResponseCondition: Hashable, Sendable {
    public enum Kind: String, Hashable, Sendable {
        case ok = "OK", no = "NO", bad = "BAD", preauth = "PREAUTH", bye = "BYE"
    }
    public let kind: Kind
    public let code: ResponseCode?
    public let text: String

    public init(kind: Kind, code: ResponseCode?, text: String) {
        self.kind = kind; self.code = code; self.text = text
    }
}

/// One LIST / LSUB reply: attributes (incl. special-use), hierarchy separator, name.
public struct MailboxListing: Hashable, Sendable {
    public let attributes: [String]
    /// nil when the server sent NIL (a flat namespace).
    public let separator: Character?
    public let name: MailboxName

    public init(attributes: [String], separator: Character?, name: MailboxName) {
        self.attributes = attributes; self.separator = separator; self.name = name
    }

    /// The RFC 6154 special-use attribute, if any (`\Sent`, `\Drafts`, …).
    public var specialUse: String? {
        let known = ["\\All", "\\Archive", "\\Drafts", "\\Flagged", "\\Junk", "\\Sent", "\\Trash", "\\Important"]
        return attributes.lazy.compactMap { attribute in known.first { $0.lowercased() == attribute.lowercased() } }
            .first
    }

    /// `\Noselect` or `\NonExistent`: a node of the tree that holds no messages.
    public var isSelectable: Bool {
        !attributes.contains { ["\\noselect", "\\nonexistent"].contains($0.lowercased()) }
    }
}

/// STATUS attribute values; absent ones were not asked for or not sent.
public struct MailboxStatus: Hashable, Sendable {
    public var messages: Int?
    public var recent: Int?
    public var uidNext: UInt32?
    public var uidValidity: UInt32?
    public var unseen: Int?
    public var size: Int64?
    public var highestModSeq: UInt64?

    public init() {}
}

/// One namespace of the NAMESPACE reply: prefix and hierarchy separator.
public struct NamespaceDescription: Hashable, Sendable {
    public let prefix: String
    public let separator: Character?

    public init(prefix: String, separator: Character?) { self.prefix = prefix; self.separator = separator }
}

/// The three groups of RFC 2342 NAMESPACE.
public struct NamespaceResponse: Hashable, Sendable {
    public let personal: [NamespaceDescription]
    public let otherUsers: [NamespaceDescription]
    public let shared: [NamespaceDescription]

    public init(personal: [NamespaceDescription], otherUsers: [NamespaceDescription], shared: [NamespaceDescription]) {
        self.personal = personal; self.otherUsers = otherUsers; self.shared = shared
    }
}

/// Untagged data other than FETCH (which streams as events).
public enum UntaggedResponse: Hashable, Sendable {
    case condition(ResponseCondition)
    case capability([Capability])
    case enabled([Capability])
    /// ID parameters in the order sent; nil for `* ID NIL`.
    case id([IDParameter]?)
    case flags([Flag])
    case list(MailboxListing)
    case lsub(MailboxListing)
    case status(MailboxName, MailboxStatus)
    case search([UInt32], highestModSeq: UInt64?)
    case namespace(NamespaceResponse)
    case exists(Int)
    case recent(Int)
    case expunge(Int)
    case vanished(earlier: Bool, uids: UIDSet)
    /// A response this parser does not model; the keyword and the rest of the line.
    case other(keyword: String, text: String)
}

/// A key/value pair of the ID command (RFC 2971); values may be NIL.
public struct IDParameter: Hashable, Sendable {
    public let key: String
    public let value: String?
    public init(key: String, value: String?) { self.key = key; self.value = value }
}
