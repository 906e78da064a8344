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

    /// Flushes every file of the filesystem holding `path` at once: one group commit for a
    /// batch of messages instead of one fsync each.
    static func syncFileSystem(containing path: String) throws {
        let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw StoreError.fromErrno(path: path, operation: "open directory") }
        defer { close(descriptor) }
        guard linuxSyncfs(descriptor) == 0 else { throw StoreError.fromErrno(path: path, operation: "syncfs") }
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

/// glibc declares syncfs(2) only under _GNU_SOURCE, which Swift's Glibc module does not set.
@_silgen_name("syncfs")
private func linuxSyncfs(_ descriptor: Int32) -> Int32
