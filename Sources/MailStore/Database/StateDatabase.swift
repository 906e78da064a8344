import Foundation
import GRDB

/// The job's manifest and progress in SQLite (`state.sqlite`), opened through GRDB.
///
/// WAL mode with `synchronous = NORMAL`: a commit survives a killed process at once and a power
/// cut once the WAL is checkpointed. That is enough because every record points at something
/// already durable (message files are synced before their transaction) or is re-checked
/// (a lost "uploaded" is found again on the target before any APPEND); no fsync per commit.
public final class StateDatabase: Sendable {
    public let queue: DatabaseQueue
    public let path: String
    /// The run this process has open on the job, which new issues are recorded on.
    let currentRun = CurrentRun()

    public init(path: String) throws {
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            // 1 MiB of page cache instead of 2: the file is small and stays in the OS page cache.
            try db.execute(sql: "PRAGMA cache_size = -1024")
            if DurableStep.isCounting {
                db.add(transactionObserver: CommitStepObserver(name: "state"), extent: .databaseLifetime)
            }
        }
        configuration.busyMode = .timeout(10)
        // SQLite creates the file (and its -wal and -shm, which copy its mode) with the
        // process umask, usually 0644: the manifest lists who mailed whom, so make it 0600 first.
        if !FileManager.default.fileExists(atPath: path) {
            let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            if descriptor >= 0 { close(descriptor) }
        }
        do {
            queue = try DatabaseQueue(path: path, configuration: configuration)
            try queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = WAL") }
            try StateSchema.migrator.migrate(queue)
        } catch let error as DatabaseError {
            let translated = StateDatabase.translate(error, path: path)
            if translated is StoreError { throw translated }
            throw StoreError.corrupt(path: path, reason: error.message ?? error.description)
        }
        self.path = path
    }

    /// An in-memory database for unit tests of the schema.
    public init(inMemory: Void = ()) throws {
        queue = try DatabaseQueue()
        try StateSchema.migrator.migrate(queue)
        path = ":memory:"
    }
}

extension StateDatabase {
    /// SQLite's own errors in the store's terms: a full disk is `StoreError.diskFull`, an I/O
    /// failure names the database file. Other errors pass through.
    public static func translate(_ error: Error, path: String) -> Error {
        guard let database = error as? DatabaseError else { return error }
        switch database.resultCode {
        case .SQLITE_FULL: return StoreError.diskFull(path: path)
        case .SQLITE_IOERR, .SQLITE_CANTOPEN, .SQLITE_READONLY:
            return StoreError.notWritable(path: path, reason: database.message ?? database.description)
        default: return error
        }
    }
}
