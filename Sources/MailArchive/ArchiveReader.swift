import CArchive
import Glibc

/// Reads an archive written by `ArchiveWriter` or by tar: every compression filter and tar
/// dialect libarchive knows is detected from the data, not the file name.
public final class ArchiveReader {
    public let path: String
    /// Opened by init so a missing or unreadable file fails there, not at first iteration.
    private var pending: ArchiveReadHandle?
    private let chunk = ChunkBuffer()
    private let key: ArchiveKey?

    /// `key` opens an encrypted archive (any other is read as it is).
    public init(path: String, key: ArchiveKey? = nil) throws {
        try LibarchiveLocale.require(archivePath: path)
        self.path = path
        self.key = key
        pending = try ArchiveReadHandle(path: path, key: key)
    }

    /// How the archive at `path` is encrypted ("aes-256-gcm-chunked-v1, passphrase, …"), nil when it is not.
    public static func encryption(ofArchiveAt path: String) -> String? {
        guard EncryptedArchiveFormat.isEncrypted(path: path) else { return nil }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        defer { if fd >= 0 { close(fd) } }
        var bytes = [UInt8](repeating: 0, count: EncryptedArchiveFormat.headerSize)
        guard fd >= 0, pread(fd, &bytes, bytes.count, 0) == bytes.count,
            let header = EncryptedArchiveFormat.Header(parsing: bytes)
        else { return EncryptedArchiveFormat.scheme }
        return "\(EncryptedArchiveFormat.scheme), \(header.kdfDescription)"
    }

    /// Calls `body` for each entry in archive order. The stream is valid only during the call;
    /// data left unread is skipped. libarchive reads forward only, so a second call reopens
    /// the file and starts again from the first entry.
    public func forEachEntry(_ body: (ArchiveEntryInfo, ArchiveEntryStream) throws -> Void) throws {
        let handle = try pending ?? ArchiveReadHandle(path: path, key: key)
        pending = nil
        // Keeps the handle (and its fd) alive until the loop is done: ARC may otherwise
        // release it right after `handle.archive` is read.
        try withExtendedLifetime(handle) {
            do {
                try iterate(handle.archive, body)
            } catch {
                // libarchive only saw a failed read; the decryption knows why.
                if let failure = handle.decryptingSource?.failure { throw failure }
                throw error
            }
            // A tar reader stops at its end-of-archive blocks: make sure the file ended whole there.
            if let source = handle.decryptingSource {
                while let count = source.readChunk(), count > 0 {}
                if let failure = source.failure { throw failure }
            }
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
