import Foundation

/// Where and how to connect: `imaps://user@host[:port]` or `imap://user@host[:port]`.
public struct IMAPEndpoint: Sendable, Hashable, CustomStringConvertible {
    public enum Security: String, Sendable, Hashable {
        /// TLS from the first byte (port 993).
        case implicitTLS
        /// Plain connect, upgraded with STARTTLS when the server offers it (port 143).
        case startTLSWhenOffered
    }

    public var host: String
    public var port: Int
    public var user: String
    public var security: Security

    public init(host: String, port: Int? = nil, user: String, security: Security) {
        self.host = host
        self.user = user
        self.security = security
        self.port = port ?? (security == .implicitTLS ? 993 : 143)
    }

    public enum ParseError: Error, Equatable, CustomStringConvertible {
        case invalid(String, reason: String)
        public var description: String {
            switch self {
            case .invalid(let text, let reason): return "invalid IMAP endpoint \"\(text)\": \(reason)"
            }
        }
    }

    /// Parses `imaps://user@host[:port]`; the user may contain `@` (the last `@` separates the
    /// host). An IPv6 address goes in brackets: `imaps://user@[::1]:993`.
    /// A password in the URL is refused: passwords never go on a command line.
    public init(parsing text: String) throws {
        let security: Security
        let rest: Substring
        if text.lowercased().hasPrefix("imaps://") {
            security = .implicitTLS; rest = text.dropFirst(8)
        } else if text.lowercased().hasPrefix("imap://") {
            security = .startTLSWhenOffered; rest = text.dropFirst(7)
        } else {
            throw ParseError.invalid(text, reason: "must start with imaps:// or imap://")
        }
        guard let at = rest.lastIndex(of: "@") else {
            throw ParseError.invalid(text, reason: "no user (expected user@host)")
        }
        let userPart = rest[..<at].removingPercentEncodingIfPossible
        guard !userPart.isEmpty else { throw ParseError.invalid(text, reason: "empty user") }
        if rest[..<at].contains(":") {
            throw ParseError.invalid(
                text.replacingSecretInURL(),
                reason:
                    "a password in the URL is not accepted; use an environment variable, a password file or the prompt")
        }
        var hostPart = rest[rest.index(after: at)...]
        if hostPart.hasSuffix("/") { hostPart = hostPart.dropLast() }
        let (host, port) = try Self.hostAndPort(hostPart, text: text)
        self.init(host: host, port: port, user: userPart, security: security)
    }

    private static func hostAndPort(_ hostPart: Substring, text: String) throws -> (String, Int?) {
        var host = String(hostPart)
        var port: Int?
        if hostPart.hasPrefix("[") {
            guard let close = hostPart.firstIndex(of: "]") else {
                throw ParseError.invalid(text, reason: "unclosed [ in IPv6 address")
            }
            host = String(hostPart[hostPart.index(after: hostPart.startIndex)..<close])
            var address = in6_addr()
            guard inet_pton(AF_INET6, host, &address) == 1 else {
                throw ParseError.invalid(text, reason: "\"\(host)\" in brackets is not an IPv6 address")
            }
            let after = hostPart[hostPart.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":"), let value = Int(after.dropFirst()) else {
                    throw ParseError.invalid(text, reason: "after ] only :port may follow (e.g. [::1]:993)")
                }
                port = value
            }
        } else if hostPart.firstIndex(of: ":") != hostPart.lastIndex(of: ":") {
            throw ParseError.invalid(
                text, reason: "an IPv6 address must be in brackets, e.g. imaps://user@[\(hostPart)]:993")
        } else if let colon = hostPart.lastIndex(of: ":") {
            host = String(hostPart[..<colon])
            guard let value = Int(hostPart[hostPart.index(after: colon)...]) else {
                throw ParseError.invalid(text, reason: "bad port")
            }
            port = value
        }
        guard !host.isEmpty else { throw ParseError.invalid(text, reason: "empty host") }
        let forbidden: Set<Character> = ["/", "@", "[", "]"]
        if host.contains(where: { forbidden.contains($0) || $0.isWhitespace }) {
            throw ParseError.invalid(text, reason: "\"\(host)\" is not a host name")
        }
        if let port, !(1...65535).contains(port) { throw ParseError.invalid(text, reason: "port must be 1-65535") }
        return (host, port)
    }

    /// `host:port`, with an IPv6 address in brackets.
    public var hostAndPort: String {
        let bracketed: String = host.contains(":") ? "[" + host + "]" : host
        return bracketed + ":" + String(port)
    }

    private var scheme: String { security == .implicitTLS ? "imaps" : "imap" }

    /// The endpoint as a URL that parses back to it; an `@` in the login is written `%40`.
    public var url: String {
        let escapedPercent: String = user.replacingOccurrences(of: "%", with: "%25")
        let login: String = escapedPercent.replacingOccurrences(of: "@", with: "%40")
        return scheme + "://" + login + "@" + hostAndPort
    }

    /// For people: the login, then where (a login may itself contain `@`).
    public var description: String {
        user + " on " + scheme + "://" + hostAndPort
    }
}

private extension Substring {
    var removingPercentEncodingIfPossible: String {
        String(self).removingPercentEncoding ?? String(self)
    }
}

private extension String {
    /// `imaps://user:secret@host` → `imaps://user:***@host`, so the error never echoes it.
    func replacingSecretInURL() -> String {
        guard let schemeEnd = range(of: "://"), let at = lastIndex(of: "@"),
            let colon = self[schemeEnd.upperBound..<at].firstIndex(of: ":")
        else { return self }
        return String(self[..<colon]) + ":***" + String(self[at...])
    }
}
