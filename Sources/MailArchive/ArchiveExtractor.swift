import Glibc

/// Unpacks an archive into a directory (`inspect --extract DIR`), treating the archive as
/// untrusted: entries that would land outside the destination, and links or devices, stop the
/// extraction with an error. Entries before the offending one stay extracted; nothing is ever
/// written outside `destination`.
public enum ArchiveExtractor {
    /// Extracts every entry below `destination` (created if missing) and returns the number of
    /// regular files written. Each file is written to a hidden temporary name and renamed into
    /// place, so an interrupted extraction never leaves a truncated file under a real name;
    /// existing files are replaced, as tar does. Modification times are restored for files
    /// and directories; permissions are 0600/0700 regardless of the archive (private mail).
    /// Files are not fsynced: the archive remains the durable copy.
    @discardableResult
    public static func extract(archive path: String, to destination: String, key: ArchiveKey? = nil) throws -> Int {
        let reader = try ArchiveReader(path: path, key: key)
        let root = try ExtractionRoot(path: destination, archivePath: path)
        var files = 0
        var directoryTimes: [(components: [String], entryPath: String, time: Int)] = []
        try reader.forEachEntry { info, stream in
            let components: [String]
            switch SafeEntryPath.check(info.path) {
            case .outside(let reason):
                throw ArchiveError.rejectedEntryPath(archivePath: path, entryPath: info.path, reason: reason)
            case .inside(let inside):
                components = inside
            }
            switch info.kind {
            case .directory:
                close(try root.openDirectory(components[...], entryPath: info.path))
                directoryTimes.append((components, info.path, info.modificationTime))
            case .regularFile:
                guard !components.isEmpty else {
                    throw ArchiveError.rejectedEntryPath(
                        archivePath: path, entryPath: info.path,
                        reason: "a file cannot replace the destination directory")
                }
                try writeFile(stream, components: components, root: root)
                files += 1
            default:
                throw ArchiveError.unsupportedEntryType(archivePath: path, entryPath: info.path, kind: info.kind)
            }
        }
        // Last, because creating the files inside a directory changed its time.
        for directory in directoryTimes {
            let fd = try root.openDirectory(directory.components[...], entryPath: directory.entryPath)
            defer { close(fd) }
            guard setTime(fd, directory.time) else {
                throw root.failure("futimens", displayPath(root, directory.components), errno, directory.entryPath)
            }
        }
        return files
    }

    private static func writeFile(_ stream: ArchiveEntryStream, components: [String], root: ExtractionRoot) throws {
        let entryPath = stream.info.path
        let parent = try root.openDirectory(components.dropLast(), entryPath: entryPath)
        defer { close(parent) }
        // Not derived from the entry name, which may already be at NAME_MAX.
        let temporary = ".mailferry-extract-" + POSIXIO.randomTag() + ".tmp"
        let target = displayPath(root, components)
        let fd = openat(parent, temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw root.failure("create temporary file for", target, errno, entryPath) }
        var renamed = false
        defer { if !renamed { unlinkat(parent, temporary, 0) } }
        do {
            try stream.read { piece in
                guard let base = piece.baseAddress, piece.count > 0 else { return }
                let code = POSIXIO.writeAll(fd, base, count: piece.count)
                guard code == 0 else { throw root.failure("write", target, code, entryPath) }
            }
            guard setTime(fd, stream.info.modificationTime) else {
                throw root.failure("futimens", target, errno, entryPath)
            }
        } catch {
            close(fd)
            throw error
        }
        guard close(fd) == 0 else { throw root.failure("close", target, errno, entryPath) }
        guard renameat(parent, temporary, parent, components[components.count - 1]) == 0 else {
            throw root.failure("rename into place", target, errno, entryPath)
        }
        renamed = true
    }

    /// Sets access and modification time (UTIME_OMIT does not import into Swift).
    private static func setTime(_ fd: Int32, _ seconds: Int) -> Bool {
        var times = [timespec(tv_sec: seconds, tv_nsec: 0), timespec(tv_sec: seconds, tv_nsec: 0)]
        return futimens(fd, &times) == 0
    }

    private static func displayPath(_ root: ExtractionRoot, _ components: [String]) -> String {
        ([root.path] + components).joined(separator: "/")
    }
}
