/// Whether the source still has a stored message.
public enum SourceState: String, Codable, Sendable {
    case present, gone
}

/// How far a recorded issue reaches: one message, a whole folder, or the account.
public enum IssueScope: String, Codable, Sendable {
    case message, folder, account
}

/// The flags a target message has, as far as the job knows: set by this job (`known`), or
/// found there already (adopted) and not yet looked at. Stored as text: "?" for unknown.
public enum TargetFlags: Codable, Sendable, Equatable {
    case unknown
    case known(FlagList)

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        self = text == "?" ? .unknown : .known(FlagList(text: text))
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(databaseText)
    }

    /// The stored text: "?" or the flag names, sorted, space-separated.
    public var databaseText: String {
        switch self {
        case .unknown: return "?"
        case .known(let list): return list.names.sorted().joined(separator: " ")
        }
    }
}
