import MailStore

/// What a running pull tells whoever consumes its output as it goes (`migrate` uploads
/// folders while they are still being pulled). Called from the folder workers' threads.
public struct PullEvents: Sendable {
    /// Every folder row of the pass exists; nothing is stored yet.
    public var foldersListed: @Sendable ([FolderRecord]) -> Void
    /// How many folders the pass is about to select (those STATUS showed unchanged are not).
    public var willPull: @Sendable (_ folders: Int) -> Void
    /// A folder worker began (or, after a dropped link, began again) to pull this folder.
    public var folderStarted: @Sendable (_ folderID: Int64) -> Void
    /// A folder worker is done with this folder: pulled, or skipped for an error of its own.
    public var folderEnded: @Sendable (_ folderID: Int64) -> Void
    /// A group commit made `messages` new messages (`bytes` in all) of a folder durable; zero
    /// messages: flag changes of stored ones were recorded, and no commit carries them.
    public var committed: @Sendable (_ folderID: Int64, _ messages: Int, _ bytes: Int64) -> Void
    /// Every message of the pass is stored; the archive is about to be sealed.
    public var foldersPulled: @Sendable () -> Void

    public init(
        foldersListed: @escaping @Sendable ([FolderRecord]) -> Void = { _ in },
        willPull: @escaping @Sendable (Int) -> Void = { _ in },
        folderStarted: @escaping @Sendable (Int64) -> Void = { _ in },
        folderEnded: @escaping @Sendable (Int64) -> Void = { _ in },
        committed: @escaping @Sendable (Int64, Int, Int64) -> Void = { _, _, _ in },
        foldersPulled: @escaping @Sendable () -> Void = {}
    ) {
        self.foldersListed = foldersListed; self.willPull = willPull
        self.folderStarted = folderStarted; self.folderEnded = folderEnded; self.committed = committed;
        self.foldersPulled = foldersPulled
    }
}
