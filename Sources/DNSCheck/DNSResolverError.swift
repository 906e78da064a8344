/// The DNS could not be asked at all: dns-check's exit 3.
public enum DNSResolverError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No answer from the server (timeout, refused, unreachable).
    case unreachable(server: String, reason: String)
    /// The resolver could not be set up (no resolv.conf, a bad --dns-server).
    case setup(reason: String)
    /// A name that cannot be asked (too long, bad characters).
    case badName(String)

    public var description: String {
        switch self {
        case .unreachable(let server, let reason): return "no answer from the DNS server \(server): \(reason)"
        case .setup(let reason): return "cannot set up the DNS resolver: \(reason)"
        case .badName(let name): return "\"\(name)\" is not a domain name that can be looked up"
        }
    }
}
