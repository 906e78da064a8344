/// What a pull learns of a folder before fetching, in one round trip: the EXAMINE answer, every
/// UID, and the messages whose flags changed since a known mod-sequence.
public struct FolderSurvey: Sendable {
    public var selected: SelectedMailbox
    public var uids: [UInt32]
    /// UID and FLAGS of every message changed since the `changedSince` asked for; nil when it
    /// was not asked (no CONDSTORE, no mod-sequence known) or the server refused it, so the
    /// caller asks the long way.
    public var changedFlags: [FetchedMessage]?

    public init(selected: SelectedMailbox, uids: [UInt32], changedFlags: [FetchedMessage]?) {
        self.selected = selected; self.uids = uids; self.changedFlags = changedFlags
    }
}
