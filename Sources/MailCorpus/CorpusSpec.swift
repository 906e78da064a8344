/// How big and how varied a generated corpus is.
public struct CorpusSpec: Sendable {
    /// Messages per ordinary folder (INBOX gets twice as many).
    public var messagesPerFolder: Int
    /// Extra nested folders beyond the fixed tricky ones.
    public var extraFolders: Int
    /// Sizes: `.small` keeps every message under ~8 KB; `.realistic` follows real mailboxes
    /// (mostly 2–50 KB, some 0.1–5 MB attachments, a few 20–40 MB).
    public var sizes: SizeProfile
    /// One message of this many bytes in `Archive`, written to a file and streamed (nil: none).
    public var largeMessageBytes: Int?
    public var seed: UInt64

    public enum SizeProfile: String, Sendable { case small, realistic }

    public init(
        messagesPerFolder: Int = 6, extraFolders: Int = 0, sizes: SizeProfile = .small,
        largeMessageBytes: Int? = nil, seed: UInt64 = 42
    ) {
        self.messagesPerFolder = messagesPerFolder; self.extraFolders = extraFolders; self.sizes = sizes
        self.largeMessageBytes = largeMessageBytes; self.seed = seed
    }
}
