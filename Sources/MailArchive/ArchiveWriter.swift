import CArchive
import Glibc

/// Writes one backup archive (pax-restricted tar, optionally compressed) without ever holding
/// an entry in memory, and publishes it atomically: until `seal()` returns, only a hidden
/// temporary file exists, so a crashed or interrupted pass never leaves a truncated archive
/// under a name that a restore would trust.
///
/// Not thread-safe: one writer belongs to one pass.
public final class ArchiveWriter {
    public let finalPath: String
    public let compression: ArchiveCompression
    public let format: ArchiveFormat
    /// Hidden (`.` prefix) and in the same directory as `finalPath`: listings of the archive
    /// directory skip it, and the final rename stays within one file system.
    public let temporaryPath: String

    private enum State {
        case open
        case failed(reason: String)
        case sealed
        case abandoned
    }

    private var state = State.open
    private var archive: OpaquePointer?
    private var fd: Int32
    private let chunk = ChunkBuffer()
    private let output: ArchiveFileOutput
    /// Encrypts on the way to the file when the archive is sealed with a key.
    private let encryptingSink: EncryptingFileSink?
    /// "aes-256-gcm-chunked-v1" for an encrypted archive, nil otherwise.
    public var encryptionScheme: String? { encryptingSink == nil ? nil : EncryptedArchiveFormat.scheme }

    public init(
        finalPath: String, compression: ArchiveCompression, format: ArchiveFormat = .tar, encryption: ArchiveKey? = nil
    ) throws {
        try LibarchiveLocale.require(archivePath: finalPath)
        var existing = stat()
        if lstat(finalPath, &existing) == 0 { throw ArchiveError.destinationExists(archivePath: finalPath) }
        let temporaryPath =
            POSIXIO.parentDirectory(of: finalPath) + "/."
            + POSIXIO.lastComponent(of: finalPath) + "." + POSIXIO.randomTag() + ".partial"
        // Our own fd (not archive_write_open_filename) so the data can be fsynced before the
        // rename; 0600 because the archive holds private mail.
        let fd = open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw ArchiveError.fileSystem(
                archivePath: finalPath, entryPath: nil, operation: "create",
                path: temporaryPath, reason: POSIXText.lastError)
        }
        let output = ArchiveFileOutput(fd: fd)
        self.output = output
        do {
            let sink = try encryption.map { try EncryptingFileSink(output: output, key: $0) }
            encryptingSink = sink
            archive = try Self.openArchive(
                output: output, compression: compression, format: format, finalPath: finalPath, sink: sink)
        } catch {
            close(fd)
            unlink(temporaryPath)
            throw error
        }
        self.fd = fd
        self.finalPath = finalPath
        self.compression = compression
        self.format = format
        self.temporaryPath = temporaryPath
    }

    deinit { abandon() }

    /// Adds a regular file, streamed in 256 KiB chunks. `permissions` defaults to 0600 because
    /// the entries are private mail. Throws `sourceSizeChanged` if the file grows or shrinks
    /// while being copied; the writer is then unusable (the header already promised a size).
    public func addFile(
        entryPath: String, sourcePath: String, modificationTime: Int,
        permissions: UInt16 = 0o600
    ) throws {
        let archive = try usableArchive()
        try validate(entryPath)
        let source = open(sourcePath, O_RDONLY | O_CLOEXEC)
        guard source >= 0 else { throw fileSystemError(entryPath, "open", sourcePath, POSIXText.lastError) }
        defer { close(source) }
        var info = stat()
        guard fstat(source, &info) == 0 else {
            throw fileSystemError(entryPath, "fstat", sourcePath, POSIXText.lastError)
        }
        // A FIFO would block forever and a device has no meaningful size.
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw ArchiveError.sourceNotRegularFile(
                archivePath: finalPath, entryPath: entryPath, sourcePath: sourcePath)
        }
        let size = Int64(info.st_size)
        try writeHeader(
            archive, entryPath, type: Libarchive.regularFileType, permissions: permissions,
            size: size, modificationTime: modificationTime)
        try poisoningOnError {
            try copy(from: source, size: size, to: archive, entryPath: entryPath, sourcePath: sourcePath)
            try finishEntry(archive, entryPath)
        }
    }

    /// Adds an entry from memory: the pass manifest and metadata JSON, which are small.
    public func addData(
        entryPath: String, bytes: [UInt8], modificationTime: Int,
        permissions: UInt16 = 0o600
    ) throws {
        let archive = try usableArchive()
        try validate(entryPath)
        try writeHeader(
            archive, entryPath, type: Libarchive.regularFileType, permissions: permissions,
            size: Int64(bytes.count), modificationTime: modificationTime)
        try poisoningOnError {
            try bytes.withUnsafeBytes { raw in
                if let base = raw.baseAddress { try writeData(archive, base, raw.count, entryPath) }
            }
            try finishEntry(archive, entryPath)
        }
    }

    /// Adds a directory entry: a Maildir folder is only valid with its `tmp`, `new` and `cur`
    /// directories, even when they are empty.
    public func addDirectory(entryPath: String, modificationTime: Int, permissions: UInt16 = 0o700) throws {
        let archive = try usableArchive()
        try validate(entryPath)
        try writeHeader(
            archive, entryPath, type: Libarchive.directoryType, permissions: permissions,
            size: 0, modificationTime: modificationTime)
        try poisoningOnError { try finishEntry(archive, entryPath) }
    }

    /// Where the archive goes through the page cache (no O_DIRECT), asks the kernel to start
    /// writing what it holds so far and lets go of the pages written before the previous call:
    /// nothing reads the archive back while it is written.
    public func startWriteback() {
        guard fd >= 0 else { return }
        output.releaseWritten()
    }

    /// Whether the bytes go to the file past the page cache (O_DIRECT).
    public var writesDirect: Bool { output.isDirect }

    /// Finishes the archive (end-of-archive blocks, compressor flush), fsyncs it, publishes it
    /// under `finalPath`, and fsyncs the directory so the new name survives a power cut.
    /// If only the final directory fsync fails, the archive is complete at `finalPath` and the
    /// error says so through its operation name.
    public func seal() throws {
        let archive = try usableArchive()
        try poisoningOnError {
            let result = archive_write_close(archive)
            guard Libarchive.succeeded(result) else {
                throw ArchiveError.libarchive(
                    archivePath: finalPath, entryPath: nil, operation: "archive_write_close",
                    message: encryptingSink?.failure ?? output.failure ?? Libarchive.message(archive, result: result))
            }
            archive_write_free(archive)
            self.archive = nil
            guard fsync(fd) == 0 else { throw fileSystemError(nil, "fsync", temporaryPath, POSIXText.lastError) }
            let closed = close(fd)
            fd = -1
            guard closed == 0 else { throw fileSystemError(nil, "close", temporaryPath, POSIXText.lastError) }
            try publish()
        }
        state = .sealed
        let directory = POSIXIO.parentDirectory(of: finalPath)
        let code = POSIXIO.fsyncDirectory(directory)
        guard code == 0 else {
            throw fileSystemError(
                nil, "fsync (archive sealed, durability unknown) of directory", directory,
                POSIXText.describe(code))
        }
    }

    /// Deletes the temporary file. Harmless after `seal()` (the sealed archive is kept) and
    /// when called twice.
    public func abandon() {
        switch state {
        case .sealed, .abandoned: return
        case .open, .failed: break
        }
        if let archive {
            // Marks the handle fatal so archive_write_free does not append an end-of-archive
            // marker (and flush the compressor) into a file about to be deleted.
            archive_write_fail(archive)
            archive_write_free(archive)
            self.archive = nil
        }
        if fd >= 0 {
            close(fd)
            fd = -1
        }
        unlink(temporaryPath)
        state = .abandoned
    }

    // MARK: - Private

    private static func openArchive(
        output: ArchiveFileOutput, compression: ArchiveCompression, format: ArchiveFormat,
        finalPath: String, sink: EncryptingFileSink?
    ) throws -> OpaquePointer {
        guard let archive = archive_write_new() else {
            throw ArchiveError.libarchive(
                archivePath: finalPath, entryPath: nil, operation: "archive_write_new",
                message: Libarchive.message(nil))
        }
        func check(_ result: Int32, _ operation: String) throws {
            guard Libarchive.succeeded(result) else {
                let message = Libarchive.message(archive, result: result)
                archive_write_free(archive)
                throw ArchiveError.libarchive(
                    archivePath: finalPath, entryPath: nil, operation: operation, message: message)
            }
        }
        if format == .zip {
            // Each entry deflated on its own; what a browser download of logs is expected to be.
            try check(archive_write_set_format_zip(archive), "archive_write_set_format_zip")
            try check(archive_write_add_filter_none(archive), "archive_write_add_filter_none")
            try check(archive_write_set_bytes_per_block(archive, 0), "archive_write_set_bytes_per_block")
            try check(output.open(archive), "archive_write_open")
            return archive
        }
        // pax-restricted: plain ustar headers unless a name is non-ASCII or longer than ustar
        // allows (100/155 bytes), then a pax extended header; readable by every tar.
        try check(archive_write_set_format_pax_restricted(archive), "archive_write_set_format_pax_restricted")
        switch compression {
        case .none: try check(archive_write_add_filter_none(archive), "archive_write_add_filter_none")
        case .gzip: try check(archive_write_add_filter_gzip(archive), "archive_write_add_filter_gzip")
        case .zstd: try check(archive_write_add_filter_zstd(archive), "archive_write_add_filter_zstd")
        }
        // No 10 KiB record blocking: each header and chunk goes straight to the output's staging
        // instead of being copied into libarchive's block buffer first.
        try check(archive_write_set_bytes_per_block(archive, 0), "archive_write_set_bytes_per_block")
        if let sink {
            try check(sink.open(archive), "archive_write_open (encrypting)")
        } else {
            try check(output.open(archive), "archive_write_open")
        }
        return archive
    }

    private func usableArchive() throws -> OpaquePointer {
        switch state {
        case .open:
            guard let archive else { throw ArchiveError.writerUnusable(archivePath: finalPath, reason: "no handle") }
            return archive
        case .failed(let reason):
            throw ArchiveError.writerUnusable(
                archivePath: finalPath, reason: "an earlier error left it incomplete (\(reason))")
        case .sealed:
            throw ArchiveError.writerUnusable(archivePath: finalPath, reason: "already sealed")
        case .abandoned:
            throw ArchiveError.writerUnusable(archivePath: finalPath, reason: "abandoned")
        }
    }

    /// Only what tar cannot represent is refused here. `..` and absolute paths are legal tar
    /// (GNU tar writes them with -P); keeping them out of the file system is the extractor's job.
    private func validate(_ entryPath: String) throws {
        if entryPath.isEmpty {
            throw ArchiveError.rejectedEntryPath(archivePath: finalPath, entryPath: entryPath, reason: "empty path")
        }
        // A C string would silently end at the NUL and store a different name.
        if entryPath.utf8.contains(0) {
            throw ArchiveError.rejectedEntryPath(archivePath: finalPath, entryPath: entryPath, reason: "contains NUL")
        }
    }

    private func writeHeader(
        _ archive: OpaquePointer, _ entryPath: String, type: UInt32, permissions: UInt16,
        size: Int64, modificationTime: Int
    ) throws {
        try LibarchiveLocale.require(archivePath: finalPath)
        guard let entry = archive_entry_new() else {
            throw ArchiveError.libarchive(
                archivePath: finalPath, entryPath: entryPath, operation: "archive_entry_new",
                message: "out of memory")
        }
        defer { archive_entry_free(entry) }
        archive_entry_set_pathname_utf8(entry, entryPath)
        archive_entry_set_filetype(entry, type)
        archive_entry_set_perm(entry, mode_t(permissions))
        archive_entry_set_size(entry, size)
        archive_entry_set_mtime(entry, time_t(modificationTime), 0)
        // uid/gid stay 0 and owner names unset: the backing-up host's accounts mean nothing
        // where the archive is restored.
        let result = archive_write_header(archive, entry)
        guard Libarchive.succeeded(result) else {
            let error = ArchiveError.libarchive(
                archivePath: finalPath, entryPath: entryPath,
                operation: "archive_write_header",
                message: encryptingSink?.failure ?? output.failure ?? Libarchive.message(archive, result: result))
            // FAILED skips only this entry; FATAL means the output stream itself is broken.
            if result == ARCHIVE_FATAL { poison(error) }
            throw error
        }
    }

    private func copy(
        from source: Int32, size: Int64, to archive: OpaquePointer,
        entryPath: String, sourcePath: String
    ) throws {
        var copied: Int64 = 0
        // libarchive passes an uncompressed, unencrypted entry's data through to the output
        // unchanged: read it into the output's staging buffer and nothing is copied again.
        let inPlace = compression == .none && format == .tar && encryptingSink == nil
        while copied < size {
            let target = inPlace ? output.reserve() : chunk.bytes
            guard let target else {
                throw ArchiveError.libarchive(
                    archivePath: finalPath, entryPath: entryPath, operation: "archive_write_data",
                    message: output.failure ?? "the output failed")
            }
            let wanted = Int(min(Int64(target.count), size - copied))
            let count = POSIXIO.read(source, into: target.baseAddress!, count: wanted)
            if count < 0 { throw fileSystemError(entryPath, "read", sourcePath, POSIXText.describe(Int32(-count))) }
            if count == 0 {
                throw ArchiveError.sourceSizeChanged(
                    archivePath: finalPath, entryPath: entryPath,
                    sourcePath: sourcePath, expected: size, observed: copied)
            }
            try writeData(archive, target.baseAddress!, count, entryPath)
            copied += Int64(count)
        }
        // One more read: a file that grew would otherwise be cut silently at the old size.
        let extra = POSIXIO.read(source, into: chunk.base, count: 1)
        if extra < 0 { throw fileSystemError(entryPath, "read", sourcePath, POSIXText.describe(Int32(-extra))) }
        if extra > 0 {
            var now = stat()
            let observed = fstat(source, &now) == 0 ? max(Int64(now.st_size), size + 1) : size + 1
            throw ArchiveError.sourceSizeChanged(
                archivePath: finalPath, entryPath: entryPath,
                sourcePath: sourcePath, expected: size, observed: observed)
        }
    }

    private func writeData(
        _ archive: OpaquePointer, _ bytes: UnsafeRawPointer, _ count: Int, _ entryPath: String
    ) throws {
        var done = 0
        while done < count {
            let written = archive_write_data(archive, bytes + done, count - done)
            // 0 would loop forever (libarchive returns it once the entry's declared size is reached).
            guard written > 0 else {
                throw ArchiveError.libarchive(
                    archivePath: finalPath, entryPath: entryPath, operation: "archive_write_data",
                    message: encryptingSink?.failure ?? output.failure
                        ?? Libarchive.message(archive, result: Int32(clamping: written)))
            }
            done += written
        }
    }

    private func finishEntry(_ archive: OpaquePointer, _ entryPath: String) throws {
        let result = archive_write_finish_entry(archive)
        guard Libarchive.succeeded(result) else {
            throw ArchiveError.libarchive(
                archivePath: finalPath, entryPath: entryPath,
                operation: "archive_write_finish_entry",
                message: Libarchive.message(archive, result: result))
        }
    }

    /// Publishes without ever replacing an archive: link(2) fails with EEXIST where rename(2)
    /// would silently overwrite a sealed pass created meanwhile. File systems without hard
    /// links fall back to rename (the existence check in init still applies).
    private func publish() throws {
        if link(temporaryPath, finalPath) == 0 {
            unlink(temporaryPath)
            return
        }
        let code = errno
        if code == EEXIST { throw ArchiveError.destinationExists(archivePath: finalPath) }
        guard rename(temporaryPath, finalPath) == 0 else {
            throw fileSystemError(nil, "rename to \(finalPath) of", temporaryPath, POSIXText.lastError)
        }
    }

    /// Runs a step after which a failure leaves the archive inconsistent.
    private func poisoningOnError(_ body: () throws -> Void) throws {
        do { try body() } catch {
            poison(error)
            throw error
        }
    }

    private func poison(_ error: Error) {
        if case .open = state { state = .failed(reason: String(describing: error)) }
    }

    private func fileSystemError(
        _ entryPath: String?, _ operation: String, _ path: String,
        _ reason: String
    ) -> ArchiveError {
        .fileSystem(archivePath: finalPath, entryPath: entryPath, operation: operation, path: path, reason: reason)
    }
}
