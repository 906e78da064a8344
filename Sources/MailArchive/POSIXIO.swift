import Glibc

/// Thin retrying wrappers: EINTR and short writes are normal on Linux and must not become
/// spurious archive failures. Functions return an errno on failure so callers can attach the
/// archive, entry and file to the error.
enum POSIXIO {
    /// Reads up to `count` bytes; returns the count (0 at end of file) or `-errno`.
    static func read(_ fd: Int32, into buffer: UnsafeMutableRawPointer, count: Int) -> Int {
        while true {
            let n = Glibc.read(fd, buffer, count)
            if n >= 0 { return n }
            if errno != EINTR { return -Int(errno) }
        }
    }

    /// Writes all `count` bytes; returns 0 or an errno.
    static func writeAll(_ fd: Int32, _ buffer: UnsafeRawPointer, count: Int) -> Int32 {
        var done = 0
        while done < count {
            let n = Glibc.write(fd, buffer + done, count - done)
            if n > 0 { done += n; continue }
            if n < 0 && errno == EINTR { continue }
            return n < 0 ? errno : EIO
        }
        return 0
    }

    /// Makes a rename durable: the new directory entry is only on disk once the directory
    /// itself is fsynced. Returns 0 or an errno.
    static func fsyncDirectory(_ path: String) -> Int32 {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return errno }
        defer { close(fd) }
        return fsync(fd) == 0 ? 0 : errno
    }

    /// `dirname` without its in-place mutation quirks; "." for a bare file name.
    static func parentDirectory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let parent = String(path[..<slash])
        return parent.isEmpty ? "/" : parent
    }

    static func lastComponent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }

    /// A short random hex tag for temporary names, so concurrent writers never collide.
    static func randomTag() -> String {
        String(UInt64.random(in: .min ... .max), radix: 16)
    }
}
