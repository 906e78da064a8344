import CArchive

/// The header of one archive entry, as seen while iterating.
public struct ArchiveEntryInfo: Sendable {
    /// The stored path, UTF-8, without the trailing `/` tar adds to directories (so it equals
    /// what was passed to the writer). Not sanitised: may be absolute or contain `..`.
    public let path: String
    /// Data size in bytes (0 for directories).
    public let size: Int64
    public let kind: ArchiveEntryKind
    /// Seconds since 1970.
    public let modificationTime: Int

    public var isDirectory: Bool { kind == .directory }
    public var isRegularFile: Bool { kind == .regularFile }

    init(path: String, size: Int64, kind: ArchiveEntryKind, modificationTime: Int) {
        self.path = path
        self.size = size
        self.kind = kind
        self.modificationTime = modificationTime
    }

    /// Reads the header fields of the entry libarchive just returned.
    init?(entry: OpaquePointer) {
        guard var path = Libarchive.entryPath(entry) else { return nil }
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        let fileType = UInt32(archive_entry_filetype(entry)) & Libarchive.fileTypeMask
        let kind: ArchiveEntryKind
        if archive_entry_hardlink(entry) != nil {
            kind = .hardLink
        } else {
            switch fileType {
            case Libarchive.regularFileType: kind = .regularFile
            case Libarchive.directoryType: kind = .directory
            case Libarchive.symbolicLinkType: kind = .symbolicLink
            default: kind = .other(fileType: fileType)
            }
        }
        let size = archive_entry_size_is_set(entry) != 0 ? archive_entry_size(entry) : 0
        self.init(path: path, size: size, kind: kind, modificationTime: Int(archive_entry_mtime(entry)))
    }
}
