import IMAPCore

/// What SELECT / EXAMINE told about a mailbox.
public struct SelectedMailbox: Sendable, Hashable {
    public var name: MailboxName
    public var exists = 0
    public var uidValidity: UInt32?
    public var uidNext: UInt32?
    public var highestModSeq: UInt64?
    public var flags: [Flag] = []
    /// Flags the server stores permanently; contains `\*` when any keyword may be created.
    public var permanentFlags: [Flag] = []
    public var isReadOnly = false

    public init(name: MailboxName) { self.name = name }

    /// Whether a flag or keyword survives an APPEND or STORE here.
    public func canStore(_ flag: Flag) -> Bool {
        if flag == .recent { return false }
        if permanentFlags.isEmpty { return true }
        if permanentFlags.contains(flag) { return true }
        return !flag.isSystemFlag && permanentFlags.contains(.anyKeyword)
    }
}

extension SelectedMailbox {
    /// Takes what a SELECT or EXAMINE answer says of the mailbox.
    mutating func absorb(_ event: ResponseEvent) {
        switch event {
        case .untagged(.exists(let count)): exists = count
        case .untagged(.flags(let list)): flags = list
        case .untagged(.condition(let condition)):
            switch condition.code {
            case .uidValidity(let value)?: uidValidity = value
            case .uidNext(let value)?: uidNext = value
            case .highestModSeq(let value)?: highestModSeq = value
            case .permanentFlags(let list)?: permanentFlags = list
            default: break
            }
        default: break
        }
    }
}
