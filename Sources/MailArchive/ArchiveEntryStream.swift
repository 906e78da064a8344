import CArchive

/// The data of the entry currently under the reader. Valid only inside the `forEachEntry`
/// callback that received it: libarchive reads the archive strictly forward, so once the
/// callback returns, the data is gone (unread data is skipped, never buffered).
public final class ArchiveEntryStream {
    public let info: ArchiveEntryInfo
    private let archivePath: String
    private var archive: OpaquePointer?
    private let chunk: ChunkBuffer

    init(archive: OpaquePointer, archivePath: String, info: ArchiveEntryInfo, chunk: ChunkBuffer) {
        self.archive = archive
        self.archivePath = archivePath
        self.info = info
        self.chunk = chunk
    }

    /// Called by the reader when the callback returns.
    func expire() { archive = nil }

    /// Streams the rest of the entry's data in pieces of at most 256 KiB. The buffer passed to
    /// `chunk` is reused for the next piece: copy what must outlive the call. Once the data is
    /// exhausted, further calls deliver nothing.
    public func read(_ chunk: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard let archive else {
            throw ArchiveError.streamExpired(archivePath: archivePath, entryPath: info.path)
        }
        var warningsInARow = 0
        while true {
            // archive_read_data (not _data_block) because it fills sparse-file holes with zeros.
            let count = archive_read_data(archive, self.chunk.base, ChunkBuffer.size)
            if count == 0 { return }
            if count > 0 {
                warningsInARow = 0
                try chunk(UnsafeRawBufferPointer(start: self.chunk.base, count: count))
                continue
            }
            // WARN/RETRY deliver no data but are not failures; bounded so a handle stuck in
            // that state cannot spin forever.
            let result = Int32(clamping: count)
            if result == ARCHIVE_WARN || result == ARCHIVE_RETRY, warningsInARow < 16 {
                warningsInARow += 1
                continue
            }
            throw ArchiveError.libarchive(
                archivePath: archivePath, entryPath: info.path, operation: "archive_read_data",
                message: Libarchive.message(archive, result: result))
        }
    }

    /// The whole entry in memory, for small entries such as the manifest JSON. Checks the
    /// header size first and the actual bytes as well, so a lying header cannot exhaust memory.
    public func readAll(limit: Int) throws -> [UInt8] {
        if info.size > Int64(limit) {
            throw ArchiveError.entryTooLarge(
                archivePath: archivePath, entryPath: info.path, size: info.size, limit: limit)
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Int(max(info.size, 0)))
        try read { piece in
            if bytes.count + piece.count > limit {
                throw ArchiveError.entryTooLarge(
                    archivePath: archivePath, entryPath: info.path,
                    size: Int64(bytes.count + piece.count), limit: limit)
            }
            bytes.append(contentsOf: piece)
        }
        return bytes
    }
}
