import CArchive

/// Reads an archive written by `ArchiveWriter` or by tar: every compression filter and tar
/// dialect libarchive knows is detected from the data, not the file name.
public final class ArchiveReader {
    public let path: String
    /// Opened by init so a missing or unreadable file fails there, not at first iteration.
    private var pending: ArchiveReadHandle?
    private let chunk = ChunkBuffer()

    public init(path: String) throws {
        try LibarchiveLocale.require(archivePath: path)
        self.path = path
        pending = try ArchiveReadHandle(path: path)
    }

    /// Calls `body` for each entry in archive order. The stream is valid only during the call;
    /// data left unread is skipped. libarchive reads forward only, so a second call reopens
    /// the file and starts again from the first entry.
    public func forEachEntry(_ body: (ArchiveEntryInfo, ArchiveEntryStream) throws -> Void) throws {
        let handle = try pending ?? ArchiveReadHandle(path: path)
        pending = nil
        // Keeps the handle (and its fd) alive until the loop is done: ARC may otherwise
        // release it right after `handle.archive` is read.
        try withExtendedLifetime(handle) {
            try iterate(handle.archive, body)
        }
    }

    private func iterate(_ archive: OpaquePointer, _ body: (ArchiveEntryInfo, ArchiveEntryStream) throws -> Void) throws
    {
        var previous: String?
        while true {
            var entry: OpaquePointer?
            let result = archive_read_next_header(archive, &entry)
            if result == ARCHIVE_EOF { return }
            guard Libarchive.succeeded(result), let entry else {
                throw ArchiveError.libarchive(
                    archivePath: path, entryPath: previous.map { "after \($0)" },
                    operation: "archive_read_next_header",
                    message: Libarchive.message(archive, result: result))
            }
            guard let info = ArchiveEntryInfo(entry: entry) else {
                throw ArchiveError.libarchive(
                    archivePath: path, entryPath: previous.map { "after \($0)" },
                    operation: "archive_entry_pathname", message: "entry has no path")
            }
            previous = info.path
            let stream = ArchiveEntryStream(archive: archive, archivePath: path, info: info, chunk: chunk)
            defer { stream.expire() }
            try body(info, stream)
        }
    }
}
