/// One mailbox of a batch file, with the defaults of `docs/batch-csv.md` applied.
public struct BatchRow: Sendable, Equatable {
    /// The line the record starts on (the header is line 1).
    public var line: Int
    public var sourceServer: String
    public var sourceUser: String
    public var sourcePassword: String
    public var sourcePort: Int
    /// Implicit TLS; false is plain, upgraded with STARTTLS when offered.
    public var sourceTLS: Bool
    public var targetUser: String
    public var targetPassword: String
    public var createMailbox: Bool
}

extension BatchRow: CustomStringConvertible {
    /// Never the passwords.
    public var description: String {
        "line \(line): \(sourceUser) on \(sourceServer):\(sourcePort) → \(targetUser)\(createMailbox ? " (create)" : "")"
    }
}
