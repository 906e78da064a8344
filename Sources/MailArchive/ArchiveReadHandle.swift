import CArchive
import Glibc

/// One forward pass over an archive file: libarchive's handle and the fd it reads. The file
/// is opened here rather than by `archive_read_open_filename` so that "no such file" or
/// "permission denied" come from errno instead of libarchive's bare "Failed to open".
final class ArchiveReadHandle {
    let archive: OpaquePointer
    private let fd: Int32
    /// Set for an encrypted archive: it decrypts and checks each chunk on the way in.
    let decryptingSource: DecryptingFileSource?

    init(path: String, key: ArchiveKey?) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw ArchiveError.fileSystem(
                archivePath: path, entryPath: nil, operation: "open", path: path,
                reason: POSIXText.lastError)
        }
        var source: DecryptingFileSource?
        if EncryptedArchiveFormat.isEncrypted(path: path) {
            guard let key else {
                close(fd)
                throw ArchiveError.encryptedArchiveNeedsKey(archivePath: path, scheme: EncryptedArchiveFormat.scheme)
            }
            do { source = try DecryptingFileSource(fd: fd, path: path, key: key) } catch {
                close(fd)
                throw error
            }
        }
        decryptingSource = source
        guard let archive = archive_read_new() else {
            close(fd)
            throw ArchiveError.libarchive(
                archivePath: path, entryPath: nil, operation: "archive_read_new",
                message: Libarchive.message(nil))
        }
        // support_format_all leaves out "raw", so a non-archive file is an error, not one entry.
        archive_read_support_filter_all(archive)
        archive_read_support_format_all(archive)
        let result =
            source.map { DecryptingFileSource.open(archive, source: $0) }
            ?? archive_read_open_fd(archive, fd, ChunkBuffer.size)
        guard Libarchive.succeeded(result) else {
            let message = Libarchive.message(archive, result: result)
            archive_read_free(archive)
            close(fd)
            if let failure = source?.failure { throw failure }
            throw ArchiveError.libarchive(
                archivePath: path, entryPath: nil, operation: "archive_read_open_fd",
                message: message)
        }
        self.archive = archive
        self.fd = fd
    }

    /// archive_read_free does not close a caller's fd.
    deinit {
        archive_read_free(archive)
        close(fd)
    }
}
