import IMAPCore

/// A message's flags and keywords, typed: compared as a set, stored as one space-separated
/// TEXT column (the schema's format since v1), never split again on the way through the engine.
public struct FlagList: Codable, Hashable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// In the order they were given; `\Recent` is never kept (it cannot be set).
    public let flags: [Flag]

    public init(_ flags: [Flag]) { self.flags = flags.filter { $0 != .recent } }

    /// From the stored text form.
    public init(text: String) { self.init(text.split(separator: " ").map { Flag(String($0)) }) }

    public init(stringLiteral text: String) { self.init(text: text) }

    public var names: [String] { flags.map(\.name) }
    /// The stored form.
    public var text: String { names.joined(separator: " ") }
    public var description: String { text }

    public static func == (a: FlagList, b: FlagList) -> Bool { Set(a.flags) == Set(b.flags) }
    public func hash(into hasher: inout Hasher) { hasher.combine(Set(flags)) }

    public init(from decoder: Decoder) throws {
        self.init(text: try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(text)
    }
}
