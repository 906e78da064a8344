/// A command mailferry sends. The tag is added by the encoder.
public enum Command: Sendable {
    case capability
    case noop
    case logout
    case startTLS
    case namespace
    case idle
    case id([IDParameter])
    case login(user: String, password: String)
    /// SASL PLAIN; the credentials go in the first line when the server has SASL-IR.
    case authenticatePlain(user: String, password: String)
    case enable([Capability])
    /// LIST with RETURN (SPECIAL-USE) when `returnSpecialUse` (RFC 6154).
    /// `returnStatus`: STATUS items for every listed folder in the same answer (LIST-STATUS, RFC 5819).
    case list(reference: String, pattern: String, returnSpecialUse: Bool, returnStatus: [String] = [])
    case status(MailboxName, items: [String])
    case select(MailboxName, condStore: Bool)
    case examine(MailboxName, condStore: Bool)
    /// UID SEARCH with criteria mailferry builds itself (ASCII, e.g. `UID 100:*`).
    case uidSearch(criteria: String)
    case uidFetch(UIDSet, items: [String], changedSince: UInt64?)
    /// APPEND of one message, or MULTIAPPEND (RFC 3502) of several in one command.
    case append(MailboxName, messages: [AppendMessage])
    case create(MailboxName)
    case delete(MailboxName)
    case subscribe(MailboxName)
    case uidStore(UIDSet, FlagChange, flags: [Flag], silent: Bool, unchangedSince: UInt64?)
    case uidExpunge(UIDSet)
    case close
    case unselect
    /// COMPRESS DEFLATE (RFC 4978).
    case compressDeflate

    /// The command's name for logs and errors.
    public var name: String {
        switch self {
        case .capability: return "CAPABILITY"
        case .noop: return "NOOP"
        case .logout: return "LOGOUT"
        case .startTLS: return "STARTTLS"
        case .compressDeflate: return "COMPRESS"
        case .namespace: return "NAMESPACE"
        case .idle: return "IDLE"
        case .id: return "ID"
        case .login: return "LOGIN"
        case .authenticatePlain: return "AUTHENTICATE PLAIN"
        case .enable: return "ENABLE"
        case .list: return "LIST"
        case .status: return "STATUS"
        case .select: return "SELECT"
        case .examine: return "EXAMINE"
        case .uidSearch: return "UID SEARCH"
        case .uidFetch: return "UID FETCH"
        case .append: return "APPEND"
        case .create: return "CREATE"
        case .delete: return "DELETE"
        case .subscribe: return "SUBSCRIBE"
        case .uidStore: return "UID STORE"
        case .uidExpunge: return "UID EXPUNGE"
        case .close: return "CLOSE"
        case .unselect: return "UNSELECT"
        }
    }
}

/// The message-level parameters of an APPEND; the bytes are streamed by the client.
public struct AppendMessage: Sendable, Hashable {
    public var flags: [Flag]
    public var internalDate: InternalDate?
    public var size: Int

    public init(flags: [Flag], internalDate: InternalDate?, size: Int) {
        self.flags = flags; self.internalDate = internalDate; self.size = size
    }
}

/// How UID STORE changes flags.
public enum FlagChange: String, Sendable {
    case add = "+FLAGS", remove = "-FLAGS", replace = "FLAGS"
}
