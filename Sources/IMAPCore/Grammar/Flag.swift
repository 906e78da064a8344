/// A message flag or keyword (`\Seen`, `$Forwarded`, `$label1`).
public struct Flag: Hashable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    public let name: String

    public static let seen: Flag = "\\Seen"
    public static let answered: Flag = "\\Answered"
    public static let flagged: Flag = "\\Flagged"
    public static let deleted: Flag = "\\Deleted"
    public static let draft: Flag = "\\Draft"
    public static let recent: Flag = "\\Recent"
    /// `\*` in PERMANENTFLAGS: the server accepts new keywords.
    public static let anyKeyword: Flag = "\\*"

    private static let systemFlags = [seen, answered, flagged, deleted, draft, recent, anyKeyword]

    /// System flags are case-insensitive on the wire; they are normalised so sets compare equal.
    public init(_ name: String) {
        if name.hasPrefix("\\"), let system = Flag.systemFlags.first(where: { $0.name.lowercased() == name.lowercased() }) {
            self.name = system.name
        } else {
            self.name = name
        }
    }

    public init(stringLiteral value: String) { self.name = value }

    public var isSystemFlag: Bool { name.hasPrefix("\\") }
    public var description: String { name }
}
