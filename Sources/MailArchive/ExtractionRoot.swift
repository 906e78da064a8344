import Glibc

/// The destination of an extraction, and directories below it opened one component at a time
/// with `openat(O_NOFOLLOW)`: a symlink already in the destination (or left by an earlier
/// entry) cannot redirect a write outside, and no path is re-resolved between check and use.
final class ExtractionRoot {
    let path: String
    private let fd: Int32
    private let archivePath: String

    init(path: String, archivePath: String) throws {
        self.path = path
        self.archivePath = archivePath
        try Self.createDirectories(path, archivePath: archivePath)
        fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else {
            throw ArchiveError.fileSystem(
                archivePath: archivePath, entryPath: nil, operation: "open directory",
                path: path, reason: POSIXText.lastError)
        }
    }

    deinit { close(fd) }

    /// An fd for the directory `components` below the root (the root itself when empty),
    /// creating missing directories with 0700 (private mail). The caller closes it.
    func openDirectory(_ components: ArraySlice<String>, entryPath: String) throws -> Int32 {
        var current = dup(fd)
        guard current >= 0 else { throw failure("dup", path, errno, entryPath) }
        var walked = path
        for name in components {
            walked += "/" + name
            if mkdirat(current, name, 0o700) != 0 && errno != EEXIST {
                let code = errno
                close(current)
                throw failure("mkdir", walked, code, entryPath)
            }
            let next = openat(current, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            let code = errno
            close(current)
            guard next >= 0 else {
                if code == ELOOP || code == ENOTDIR {
                    throw ArchiveError.rejectedEntryPath(
                        archivePath: archivePath, entryPath: entryPath,
                        reason: "\(walked) is a symbolic link or not a directory")
                }
                throw failure("open directory", walked, code, entryPath)
            }
            current = next
        }
        return current
    }

    func failure(_ operation: String, _ path: String, _ code: Int32, _ entryPath: String?) -> ArchiveError {
        .fileSystem(
            archivePath: archivePath, entryPath: entryPath, operation: operation, path: path,
            reason: POSIXText.describe(code))
    }

    /// `mkdir -p` for the destination itself, which the user chose (symlinks there are fine).
    private static func createDirectories(_ path: String, archivePath: String) throws {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for name in path.split(separator: "/") {
            prefix += (prefix.isEmpty || prefix.hasSuffix("/") ? "" : "/") + name
            if mkdir(prefix, 0o700) == 0 { continue }
            let code = errno
            var info = stat()
            if stat(prefix, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR { continue }
            throw ArchiveError.fileSystem(
                archivePath: archivePath, entryPath: nil, operation: "mkdir",
                path: prefix, reason: POSIXText.describe(code))
        }
    }
}
