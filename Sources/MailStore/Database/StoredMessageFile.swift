/// What the ledger says one message's Maildir file is: see `StateDatabase.storedFiles(folderID:)`.
public struct StoredMessageFile: Sendable, Equatable {
    /// A message's identity in its folder, as a Maildir file name also carries it.
    public struct Key: Hashable, Sendable {
        public var uidValidity: Int64
        public var uid: Int64

        public init(uidValidity: Int64, uid: Int64) { self.uidValidity = uidValidity; self.uid = uid }

        public init(_ name: MaildirFileName) { self.init(uidValidity: Int64(name.uidValidity), uid: Int64(name.uid)) }
    }

    public var id: Int64
    public var key: Key
    public var maildirFile: String

    public init(id: Int64, key: Key, maildirFile: String) {
        self.id = id; self.key = key; self.maildirFile = maildirFile
    }
}
