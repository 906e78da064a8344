import MailStore

/// Hands folders to the connection workers one at a time.
actor FolderQueue {
    private var folders: [FolderRecord]

    init(_ folders: [FolderRecord]) { self.folders = folders.reversed() }

    func next() -> FolderRecord? { folders.popLast() }
}
