/// One resource record of an answer, as dns-check needs it.
public struct DNSRecord: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable {
        case a = "A", aaaa = "AAAA", cname = "CNAME", mx = "MX", other
    }

    public var name: String
    public var kind: Kind
    public var ttl: UInt32
    /// The address (A, AAAA), the target host (CNAME, MX), or empty.
    public var value: String
    /// MX preference.
    public var preference: Int?

    public init(name: String, kind: Kind, ttl: UInt32, value: String, preference: Int? = nil) {
        self.name = name; self.kind = kind; self.ttl = ttl; self.value = value; self.preference = preference
    }
}

/// What a DNS server answered to one question.
public enum DNSLookup: Sendable, Equatable {
    /// NOERROR with records (possibly none of the asked type: a CNAME only, say).
    case records([DNSRecord])
    /// The name does not exist (NXDOMAIN).
    case nonexistent
    /// The server answered with an error code (SERVFAIL 2, REFUSED 5, …).
    case failed(rcode: Int)

    public var records: [DNSRecord] {
        if case .records(let records) = self { return records }
        return []
    }
}

/// Host names compare without case and without the root's trailing dot.
public func canonicalHost(_ name: String) -> String {
    var host = name.lowercased()
    while host.hasSuffix(".") { host.removeLast() }
    return host
}
