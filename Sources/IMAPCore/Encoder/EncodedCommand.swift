/// A command turned into what goes on the wire, in order.
public struct EncodedCommand: Sendable {
    public enum Part: Sendable, Equatable {
        /// Bytes to write. `sensitive` parts (credentials) never appear in a trace.
        case bytes([UInt8], sensitive: Bool)
        /// A synchronizing literal: wait for the server's `+` before going on.
        case awaitContinuation
        /// The bytes of message `index` of an APPEND, streamed by the client.
        case messageBody(index: Int, size: Int)
    }

    public let tag: String
    public let name: String
    public internal(set) var parts: [Part] = []

    public init(tag: String, name: String) { self.tag = tag; self.name = name }

    mutating func append(_ text: String, sensitive: Bool = false) {
        append(Array(text.utf8), sensitive: sensitive)
    }

    mutating func append(_ bytes: [UInt8], sensitive: Bool = false) {
        if case .bytes(let previous, let wasSensitive)? = parts.last, wasSensitive == sensitive {
            parts[parts.count - 1] = .bytes(previous + bytes, sensitive: sensitive)
        } else {
            parts.append(.bytes(bytes, sensitive: sensitive))
        }
    }

    /// Whether the command must wait for the server before it is fully sent.
    public var needsContinuation: Bool { parts.contains(.awaitContinuation) }

    /// The wire text with credentials and message bodies replaced, for protocol traces.
    public var redactedTrace: String {
        parts.map { part -> String in
            switch part {
            case .bytes(let bytes, let sensitive):
                return sensitive ? "[redacted]" : String(decoding: bytes, as: UTF8.self)
            case .awaitContinuation: return ""
            case .messageBody(_, let size): return "[\(size) bytes]"
            }
        }.joined()
    }
}
