import Foundation

/// Lets go of a Maildir file's cached pages once every reader of this run has read it (a
/// migrate reads each new file twice, for the archive and for the upload; a pull or a push
/// once). Written mail is otherwise only cache pressure: dropped pages are reused for the next
/// files, and fresh memory is much dearer on first touch — in a VM whose memory its host backs
/// lazily, 1 GB written into fresh pages took 3.9 s of system time here, into reused ones 0.3 s.
/// A file one reader never reads (skipped, already on the target) keeps its pages, as before.
public final class MaildirReadTracker: @unchecked Sendable {
    public let readers: Int
    private let lock = NSLock()
    private var readsSoFar: [String: Int] = [:]

    public init(readers: Int) { self.readers = max(1, readers) }

    /// One reader is done with `path`; the last one releases its pages.
    public func finishedReading(_ path: String) {
        if readers > 1 {
            let last = lock.withLock {
                let count = readsSoFar[path, default: 0] + 1
                if count < readers {
                    readsSoFar[path] = count
                    return false
                }
                readsSoFar[path] = nil
                return true
            }
            guard last else { return }
        }
        Self.releaseCachedPages(path)
    }

    /// Drops the clean cached pages of `path` (dirty ones stay until written; nothing is lost).
    public static func releaseCachedPages(_ path: String) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        _ = posix_fadvise(descriptor, 0, 0, POSIX_FADV_DONTNEED)
        close(descriptor)
    }
}
