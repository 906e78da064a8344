import CArchive

/// Reads an archive written by `ArchiveWriter` or by tar: every compression filter and tar
/// dialect libarchive knows is detected from the data, not the file name.
public final class ArchiveReader {
    public let path: String
    /// Opened by init so a missing or unreadable file fails there, not at first iteration.
    private var pending: OpaquePointer?
    private let chunk = ChunkBuffer()

    public init(path: String) throws {
        try LibarchiveLocale.require(archivePath: path)
        self.path = path
        pending = try Self.open(path)
    }

    deinit {
        if let pending { archive_read_free(pending) }
    }

    /// Calls `body` for each entry in archive order. The stream is valid only during the call;
    /// data left unread is skipped. libarchive reads forward only, so a second call reopens
    /// the file and starts again from the first entry.
    public func forEachEntry(_ body: (ArchiveEntryInfo, ArchiveEntryStream) throws -> Void) throws {
        let archive = try pending ?? Self.open(path)
        pending = nil
        defer { archive_read_free(archive) }
        var previous: String?
        while true {
            var entry: OpaquePointer?
            let result = archive_read_next_header(archive, &entry)
            if result == ARCHIVE_EOF { return }
            guard Libarchive.succeeded(result), let entry else {
                throw ArchiveError.libarchive(archivePath: path, entryPath: previous.map { "after \($0)" },
                                              operation: "archive_read_next_header",
                                              message: Libarchive.message(archive, result: result))
            }
            guard let info = ArchiveEntryInfo(entry: entry) else {
                throw ArchiveError.libarchive(archivePath: path, entryPath: previous.map { "after \($0)" },
                                              operation: "archive_entry_pathname", message: "entry has no path")
            }
            previous = info.path
            let stream = ArchiveEntryStream(archive: archive, archivePath: path, info: info, chunk: chunk)
            defer { stream.expire() }
            try body(info, stream)
        }
    }

    private static func open(_ path: String) throws -> OpaquePointer {
        guard let archive = archive_read_new() else {
            throw ArchiveError.libarchive(archivePath: path, entryPath: nil, operation: "archive_read_new",
                                          message: Libarchive.message(nil))
        }
        // support_format_all leaves out "raw", so a non-archive file is an error, not one entry.
        archive_read_support_filter_all(archive)
        archive_read_support_format_all(archive)
        let result = archive_read_open_filename(archive, path, ChunkBuffer.size)
        guard Libarchive.succeeded(result) else {
            let message = Libarchive.message(archive, result: result)
            archive_read_free(archive)
            throw ArchiveError.libarchive(archivePath: path, entryPath: nil, operation: "archive_read_open_filename",
                                          message: message)
        }
        return archive
    }
}
