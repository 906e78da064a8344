/// The server sent bytes that do not fit the grammar, or more than we accept to buffer.
public struct IMAPParseError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Reason: Hashable, Sendable {
        case malformed(String)
        case literalTooLarge(size: Int, limit: Int)
        case lineTooLong(limit: Int)
    }

    public let reason: Reason
    /// The start of the offending response, for the error message (server text, never ours).
    public let excerpt: String

    public init(_ reason: Reason, excerpt: String) { self.reason = reason; self.excerpt = excerpt }

    public var description: String {
        switch reason {
        case .malformed(let why): return "malformed response (\(why)): \(excerpt)"
        case .literalTooLarge(let size, let limit):
            return "literal of \(size) bytes exceeds the \(limit)-byte limit: \(excerpt)"
        case .lineTooLong(let limit): return "response line longer than \(limit) bytes: \(excerpt)"
        }
    }
}

/// Internal outcome of a grammar rule: either wait for more bytes or the input is wrong.
enum GrammarFailure: Error {
    case incomplete
    case malformed(String)
}
