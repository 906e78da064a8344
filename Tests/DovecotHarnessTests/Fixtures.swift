import DovecotHarness
import Foundation

enum Fixtures {
    /// Everything passwd-file must carry verbatim: quote, backslash, space, brace, non-ASCII.
    static let trickyPassword = "p\"a\\ss {wö} ž"
    static let alice = DovecotUser(name: "alice", password: trickyPassword)
    static let bob = DovecotUser(name: "bob", password: "bob-secret")

    static func message(subject: String, bodyBytes: Int = 64) -> Data {
        let body = String(repeating: "x", count: bodyBytes)
        return Data("From: a@example.org\r\nTo: b@example.org\r\nSubject: \(subject)\r\n\r\n\(body)\r\n".utf8)
    }
}
