import Foundation

/// How far a migrate's pull may run ahead of its uploads while pulling: the bytes committed to
/// the Maildir, in folders the uploads follow, that they have not yet taken. Past the limit, a
/// pull connection waits after its commit until the uploads catch up.
///
/// The wait is for the page cache, not for correctness: a Maildir file's pages are released
/// once the archive and the upload have read it, and a page freed a moment ago costs far less
/// to fill again than fresh memory (on a VM whose host backs guest memory lazily and takes
/// freed pages back within seconds). Unbounded, the uploads fell tens of seconds behind on the
/// medium benchmark, and the Maildir writes kept paying for fresh memory.
///
/// The bound is soft: a wait ends as soon as the uploads stop moving (a slow answer,
/// throttling, a broken link), and folders the uploads give up on, or a round that ends, stop
/// counting; the pull, which is the backup, never waits on a target that is not working.
public final class UploadBacklog: @unchecked Sendable {
    private var limit: Int
    /// A wait ends once no upload has settled for this long.
    let stallWindow: TimeInterval
    private let condition = NSCondition()
    private var followed: Set<Int64> = []
    private var files: [String: (folderID: Int64, bytes: Int)] = [:]
    private var outstanding = 0
    private var lastSettled = Date.distantPast
    private var waits = 0
    private var waited: TimeInterval = 0

    /// 64 MB ahead at most: about a second of uploads on the benchmark, two commits of every
    /// pull connection.
    public static let migrateLimit = 64 * 1024 * 1024

    public init(limitBytes: Int = UploadBacklog.migrateLimit, stallWindow: TimeInterval = 0.5) {
        limit = max(1, limitBytes)
        self.stallWindow = stallWindow
    }

    public var limitBytes: Int {
        get { condition.withLock { limit } }
        set { condition.withLock { limit = max(1, newValue) } }
    }

    /// "64 MB", or bytes under a megabyte (a test's limit).
    static func describe(bytes: Int) -> String {
        bytes >= 1_048_576 ? "\(bytes / 1_048_576) MB" : bytes == 1 ? "1 byte" : "\(bytes) bytes"
    }

    /// Bytes committed in followed folders and not yet settled by the uploads.
    public var outstandingBytes: Int { condition.withLock { outstanding } }

    /// How often pull connections waited, and how long in all.
    public var waitTotals: (count: Int, seconds: TimeInterval) { condition.withLock { (waits, waited) } }

    /// The uploads take these folders' commits while the pull runs.
    public func follow(_ folderIDs: Set<Int64>) {
        condition.withLock { followed.formUnion(folderIDs) }
    }

    /// The uploads no longer take this folder (it failed there): its bytes stop counting.
    public func stopFollowing(_ folderID: Int64) {
        condition.withLock {
            followed.remove(folderID)
            for (path, file) in files where file.folderID == folderID {
                files[path] = nil
                outstanding -= file.bytes
            }
            condition.broadcast()
        }
    }

    /// The uploads' round ended: nothing counts any more.
    public func stopFollowingAll() {
        condition.withLock {
            followed.removeAll()
            files.removeAll()
            outstanding = 0
            condition.broadcast()
        }
    }

    /// Files a commit of `folderID` made durable; counted only if the uploads follow the folder.
    public func committed(folderID: Int64, files committed: [(path: String, bytes: Int)]) {
        condition.withLock {
            guard followed.contains(folderID) else { return }
            for file in committed where files[file.path] == nil {
                files[file.path] = (folderID, file.bytes)
                outstanding += file.bytes
            }
        }
    }

    /// The uploads are done with `path`: appended, refused, skipped or found on the target.
    /// Paths it was never told about are ignored.
    public func settled(_ path: String) {
        condition.withLock {
            guard let file = files.removeValue(forKey: path) else { return }
            outstanding -= file.bytes
            lastSettled = Date()
            condition.broadcast()
        }
    }

    /// Blocks the calling thread while the backlog is over the limit and the uploads are
    /// moving; returns at once when `stopRequested` says so. For a connection's own thread,
    /// never the shared executor.
    public func waitForRoom(stopRequested: () -> Bool = { false }) {
        condition.lock()
        defer { condition.unlock() }
        guard outstanding > limit else { return }
        let start = Date()
        while outstanding > limit && !stopRequested() {
            let deadline = max(lastSettled, start).addingTimeInterval(stallWindow)
            let now = Date()
            if now >= deadline { break }
            // Woken by a settle; at most every 0.1 s to look at the stop request again.
            _ = condition.wait(until: min(deadline, now.addingTimeInterval(0.1)))
        }
        waits += 1
        waited += Date().timeIntervalSince(start)
    }
}
