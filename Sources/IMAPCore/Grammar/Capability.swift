/// One server capability, upper-cased (`IMAP4REV1`, `AUTH=PLAIN`, `APPENDLIMIT=35651584`).
public struct Capability: Hashable, Sendable, CustomStringConvertible {
    public let name: String

    public init(_ name: String) { self.name = name.uppercased() }

    public static let imap4rev1 = Capability("IMAP4rev1")
    public static let startTLS = Capability("STARTTLS")
    public static let loginDisabled = Capability("LOGINDISABLED")
    public static let saslIR = Capability("SASL-IR")
    public static let authPlain = Capability("AUTH=PLAIN")
    public static let uidPlus = Capability("UIDPLUS")
    public static let condStore = Capability("CONDSTORE")
    public static let qresync = Capability("QRESYNC")
    public static let literalPlus = Capability("LITERAL+")
    public static let literalMinus = Capability("LITERAL-")
    public static let multiAppend = Capability("MULTIAPPEND")
    public static let specialUse = Capability("SPECIAL-USE")
    public static let listExtended = Capability("LIST-EXTENDED")
    public static let listStatus = Capability("LIST-STATUS")
    public static let namespace = Capability("NAMESPACE")
    public static let id = Capability("ID")
    public static let enable = Capability("ENABLE")
    public static let idle = Capability("IDLE")
    public static let move = Capability("MOVE")
    public static let binary = Capability("BINARY")
    public static let utf8Accept = Capability("UTF8=ACCEPT")
    public static let esearch = Capability("ESEARCH")
    public static let quota = Capability("QUOTA")
    public static let statusSize = Capability("STATUS=SIZE")
    public static let compressDeflate = Capability("COMPRESS=DEFLATE")

    public var description: String { name }

    /// The value of a `NAME=VALUE` capability such as `APPENDLIMIT=35651584`.
    public func value(ofParameter parameter: String) -> String? {
        let prefix = parameter.uppercased() + "="
        return name.hasPrefix(prefix) ? String(name.dropFirst(prefix.count)) : nil
    }
}

extension Set where Element == Capability {
    /// APPENDLIMIT (RFC 7889): the largest message the server accepts, when it says.
    public var appendLimit: Int? {
        for capability in self { if let value = capability.value(ofParameter: "APPENDLIMIT") { return Int(value) } }
        return nil
    }
}
