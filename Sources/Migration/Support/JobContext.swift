import Foundation
import Logging
import MailStore

/// One job opened for work: its folders, the exclusive lock, the state database and a log
/// file for the step. Pull and push share one context when `migrate` runs them together.
public final class JobContext: @unchecked Sendable {
    public let layout: StoreLayout
    public let database: StateDatabase
    public let logger: Logger
    public let logFile: String
    /// Releases a Maildir file's cached pages after its last read of this step.
    public let maildirReads: MaildirReadTracker
    /// How far a migrate's pull may run ahead of the uploads while pulling (follows no folder
    /// until those uploads start).
    public let uploadBacklog = UploadBacklog()
    private let lock: StoreLock

    /// Prepares the folders, takes the lock (or throws `.locked`), opens the database.
    public init(
        storeRoot: String, job: String, step: String, user: String,
        console: @escaping @Sendable (String) -> LogHandler
    ) throws {
        layout = StoreLayout(storeRoot: storeRoot, job: job)
        // A migrate reads each new file for the archive and for the upload.
        maildirReads = MaildirReadTracker(readers: step == "migrate" ? 2 : 1)
        try layout.prepare()
        lock = try StoreLock(path: layout.lockFile, job: job)
        logFile = layout.logFile(step: step, user: user)
        let fileHandler = try FileLogHandler(path: logFile)
        var logger = Logger(label: "mailferry.\(step)") { label in MultiplexLogHandler([fileHandler, console(label)]) }
        logger[metadataKey: "job"] = .string(job)
        self.logger = logger
        do {
            database = try StateDatabase(path: layout.database)
        } catch {
            lock.release()
            throw error
        }
    }

    public func close() { lock.release() }

    deinit { lock.release() }

    /// The default console: warnings and errors on stderr; everything goes to the log file.
    public static let warningsToStandardError: @Sendable (String) -> LogHandler = { label in
        var handler = StreamLogHandler.standardError(label: label)
        handler.logLevel = .warning
        return TerminalSafeLogHandler(base: handler)
    }
}
