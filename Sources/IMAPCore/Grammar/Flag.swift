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

    private static let systemNames = ["\\Seen", "\\Answered", "\\Flagged", "\\Deleted", "\\Draft", "\\Recent", "\\*"]

    /// System flags are case-insensitive on the wire; they are normalised so sets compare equal.
    public init(_ name: String) {
        if name.hasPrefix("\\"), let system = Flag.systemNames.first(where: { $0.lowercased() == name.lowercased() }) {
            self.name = system
        } else {
            self.name = name
        }
    }

    public init(stringLiteral value: String) { self.init(value) }

    public var isSystemFlag: Bool { name.hasPrefix("\\") }
    public var description: String { name }
}
