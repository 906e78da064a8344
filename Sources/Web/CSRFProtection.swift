import Crypto
import Foundation

/// Double-submit CSRF protection: a random session cookie (HttpOnly, SameSite=Strict) and, in
/// every form, HMAC-SHA256(key, session) — which a page of another origin can neither read nor
/// compute.
struct CSRFProtection: Sendable {
    static let cookieName = "mailferry_session"
    private let keyBytes: [UInt8]
    private var key: SymmetricKey { SymmetricKey(data: keyBytes) }

    init(key: [UInt8]) { keyBytes = key }

    static func newSession() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<16).map { _ in String(format: "%02x", generator.next() as UInt8) }.joined()
    }

    func token(for session: String) -> String {
        HMAC<SHA256>.authenticationCode(for: Data(session.utf8), using: key).map { String(format: "%02x", $0) }
            .joined()
    }

    func isValid(token: String?, session: String?) -> Bool {
        guard let token, let session, !session.isEmpty, let given = Self.bytes(hex: token) else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(given, authenticating: Data(session.utf8), using: key)
    }

    static func bytes(hex: String) -> [UInt8]? {
        guard hex.count == 64 else { return nil }
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            guard let byte = UInt8(hex[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        return bytes
    }

    /// The session cookie of a request's Cookie header.
    static func session(fromCookieHeader header: String?) -> String? {
        guard let header else { return nil }
        for part in header.split(separator: ";") {
            let pair = part.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
            if pair.count == 2 && pair[0] == cookieName { return String(pair[1]) }
        }
        return nil
    }

    static func setCookie(_ session: String, secure: Bool) -> String {
        "\(cookieName)=\(session); Path=/; HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "")
    }
}
