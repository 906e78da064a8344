import Foundation

/// Small POSIX helpers for crash-safe writes: temp file, fsync, rename, fsync the directory.
enum FileSystem {
    static func createDirectory(_ path: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
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

    /// Makes a batch of files durable. Their writeback was started as each file was finished
    /// (`startWriteback`), so these waits mostly find the data already on disk. Unlike syncfs,
    /// this never waits for other programs' dirty data on the same file system.
    static func syncFiles(_ paths: [String]) throws {
        for path in paths {
            let descriptor = open(path, O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else { throw StoreError.fromErrno(path: path, operation: "open") }
            defer { close(descriptor) }
            guard fdatasync(descriptor) == 0 else { throw StoreError.fromErrno(path: path, operation: "fdatasync") }
        }
    }

    /// Asks the kernel to start writing a finished file now, without waiting for it.
    static func startWriteback(_ descriptor: Int32) {
        _ = linuxSyncFileRange(descriptor, 0, 0, 2 /* SYNC_FILE_RANGE_WRITE */)
    }

    /// Writes `bytes` to `path` through `path.tmp`, fsynced, then renamed.
    static func writeAtomically(_ bytes: [UInt8], to path: String) throws {
        let temporary = path + ".tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw StoreError.fromErrno(path: temporary, operation: "create") }
        var offset = 0
        while offset < bytes.count {
            let count = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
            guard count > 0 else { close(descriptor); throw StoreError.fromErrno(path: temporary, operation: "write") }
            offset += count
        }
        guard fsync(descriptor) == 0 else { close(descriptor); throw StoreError.fromErrno(path: temporary, operation: "fsync") }
        close(descriptor)
        guard rename(temporary, path) == 0 else { throw StoreError.fromErrno(path: path, operation: "rename") }
    }

    static func setModificationTime(_ path: String, secondsSince1970: Int) {
        var times = [timespec(tv_sec: secondsSince1970, tv_nsec: 0), timespec(tv_sec: secondsSince1970, tv_nsec: 0)]
        _ = utimensat(AT_FDCWD, path, &times, 0)
    }

    static func fileNames(in directory: String) -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
    }
}

/// glibc declares sync_file_range(2) only under _GNU_SOURCE, which Swift's Glibc module does not set.
@_silgen_name("sync_file_range")
private func linuxSyncFileRange(_ descriptor: Int32, _ offset: Int64, _ count: Int64, _ flags: UInt32) -> Int32
