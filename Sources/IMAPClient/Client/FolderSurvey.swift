/// What a pull learns of a folder before fetching, in one round trip: the EXAMINE answer, every
/// UID, and the messages whose flags changed since a known mod-sequence.
public struct FolderSurvey: Sendable {
    public var selected: SelectedMailbox
    public var uids: [UInt32]
    /// UID and FLAGS of every message changed since the `changedSince` asked for; nil when it
    /// was not asked (no CONDSTORE, no mod-sequence known) or the server refused it, so the
    /// caller asks the long way.
    public var changedFlags: [FetchedMessage]?
    /// True when a prefetch was asked for and its generation held: whatever the server sent
    /// for it reached the prefetch's sink (the FETCH itself may still have failed part-way;
    /// the caller asks again for what did not arrive).
    public var prefetched: Bool

    public init(selected: SelectedMailbox, uids: [UInt32], changedFlags: [FetchedMessage]?, prefetched: Bool = false) {
        self.selected = selected; self.uids = uids; self.changedFlags = changedFlags; self.prefetched = prefetched
    }
}
