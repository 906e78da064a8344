import Foundation

/// Small POSIX helpers for crash-safe writes: temp file, fsync, rename, fsync the directory.
enum FileSystem {
    static func createDirectory(_ path: String) throws {
        do {
            // 0700: a store holds other people's mail; nobody else on the machine may list it.
            try FileManager.default.createDirectory(
                atPath: path, withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o700])
        } catch {
            throw StoreError.notWritable(path: path, reason: (error as NSError).localizedDescription)
        }
    }

    static func fsyncDirectory(_ path: String) throws {
        let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw StoreError.fromErrno(path: path, operation: "open directory") }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw StoreError.fromErrno(path: path, operation: "fsync") }
    }

    /// Makes a batch of files' data durable ahead of their renames into a directory that the
    /// caller fsyncs next. Their writeback was started as each file was finished
    /// (`startWriteback`), so these waits mostly find the data already written.
    ///
    /// On ext4 and XFS only the data is waited for (sync_file_range): the caller's directory
    /// fsync commits the journal, which holds every earlier metadata change of these files
    /// (allocation, size) and is preceded by a device cache flush — one journal commit per
    /// batch instead of one per file (git's `core.fsyncMethod=batch` relies on the same).
    /// Elsewhere every file gets its own fdatasync. Unlike syncfs, neither waits for other
    /// programs' dirty data on the same file system.
    static func syncFilesBeforeDirectorySync(_ paths: [String]) throws {
        guard let first = paths.first else { return }
        let dataOnly = journalCommitCoversFiles(first)
        for path in paths {
            let descriptor = open(path, O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else { throw StoreError.fromErrno(path: path, operation: "open") }
            defer { close(descriptor) }
            if dataOnly {
                // SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER
                guard linuxSyncFileRange(descriptor, 0, 0, 7) == 0 else {
                    throw StoreError.fromErrno(path: path, operation: "sync_file_range")
                }
            } else {
                guard fdatasync(descriptor) == 0 else { throw StoreError.fromErrno(path: path, operation: "fdatasync") }
            }
        }
    }

    /// ext4 and XFS: journaled metadata committed in order, so one later fsync covers it all.
    private static func journalCommitCoversFiles(_ path: String) -> Bool {
        // struct statfs starts with f_type (a long) on every Linux ABI; 512 bytes hold it all.
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: 512, alignment: 16)
        defer { buffer.deallocate() }
        guard linuxStatfs(path, buffer) == 0 else { return false }
        let type = buffer.load(as: Int.self)
        return type == 0xEF53 /* EXT4_SUPER_MAGIC */ || type == 0x5846_5342 /* XFS_SUPER_MAGIC */
    }

    /// Asks the kernel to start writing a finished file now, without waiting for it.
    static func startWriteback(_ descriptor: Int32) {
        _ = linuxSyncFileRange(descriptor, 0, 0, 2 /* SYNC_FILE_RANGE_WRITE */)
    }

    /// Writes `bytes` to `path` through `path.tmp`, fsynced, then renamed.
    static func writeAtomically(_ bytes: [UInt8], to path: String) throws {
        let temporary = path + ".tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw StoreError.fromErrno(path: temporary, operation: "create") }
        var offset = 0
        while offset < bytes.count {
            let count = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
            guard count > 0 else { close(descriptor); throw StoreError.fromErrno(path: temporary, operation: "write") }
            offset += count
        }
        guard fsync(descriptor) == 0 else {
            close(descriptor); throw StoreError.fromErrno(path: temporary, operation: "fsync")
        }
        close(descriptor)
        guard rename(temporary, path) == 0 else { throw StoreError.fromErrno(path: path, operation: "rename") }
        DurableStep.reached(.file, (path as NSString).lastPathComponent)
    }

    static func setModificationTime(_ path: String, secondsSince1970: Int) {
        var times = [timespec(tv_sec: secondsSince1970, tv_nsec: 0), timespec(tv_sec: secondsSince1970, tv_nsec: 0)]
        _ = utimensat(AT_FDCWD, path, &times, 0)
    }

    /// The same through an open descriptor: no second path lookup.
    static func setModificationTime(_ descriptor: Int32, secondsSince1970: Int) {
        var times = [timespec(tv_sec: secondsSince1970, tv_nsec: 0), timespec(tv_sec: secondsSince1970, tv_nsec: 0)]
        _ = futimens(descriptor, &times)
    }

    static func fileNames(in directory: String) -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
    }
}

/// glibc declares sync_file_range(2) only under _GNU_SOURCE, which Swift's Glibc module does not set.
@_silgen_name("sync_file_range")
private func linuxSyncFileRange(_ descriptor: Int32, _ offset: Int64, _ count: Int64, _ flags: UInt32) -> Int32

/// statfs(2) is not in Swift's Glibc module; only its first field (f_type) is read.
@_silgen_name("statfs")
private func linuxStatfs(_ path: UnsafePointer<CChar>, _ buffer: UnsafeMutableRawPointer) -> Int32
