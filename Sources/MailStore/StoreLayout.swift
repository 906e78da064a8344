import Foundation

/// Where a job's files live: `<store>/<job>/{Maildir,state.sqlite,archives,logs}`.
public struct StoreLayout: Sendable {
    public let storeRoot: String
    public let job: String

    public init(storeRoot: String, job: String) {
        self.storeRoot = storeRoot
        self.job = job
    }

    public var jobRoot: String { "\(storeRoot)/\(job)" }
    public var maildir: String { "\(jobRoot)/Maildir" }
    public var database: String { "\(jobRoot)/state.sqlite" }
    public var archives: String { "\(jobRoot)/archives" }
    public var logs: String { "\(jobRoot)/logs" }
    public var lockFile: String { "\(jobRoot)/lock" }

    /// Creates the folders, failing early with a clear error when the store is not writable.
    public func prepare() throws {
        guard !job.isEmpty, !job.contains("/"), !job.hasPrefix("."), job == StoreLayout.safeFileName(job) else {
            throw StoreError.invalidJobName(job)
        }
        for path in [jobRoot, maildir, archives, logs] { try FileSystem.createDirectory(path) }
        guard access(jobRoot, W_OK) == 0 else {
            throw StoreError.notWritable(path: jobRoot, reason: String(cString: strerror(errno)))
        }
    }

    /// A job name that is safe as a folder name: the account, with anything odd replaced.
    public static func jobName(user: String, host: String) -> String {
        safeFileName(user.contains("@") ? user : "\(user)@\(host)")
    }

    /// `text` with everything but letters, digits and `.@_+-` replaced, never starting with `.`.
    public static func safeFileName(_ text: String) -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.@_+-")
        let cleaned = String(text.map { allowed.contains($0) ? $0 : "_" })
        return cleaned.hasPrefix(".") ? "_" + cleaned.dropFirst() : cleaned
    }

    /// A log file for one step, named with its UTC creation time: `<UTC>-pull-user@example.com.log`.
    public func logFile(step: String, user: String, at date: Date = Date()) -> String {
        "\(logs)/\(StoreLayout.timestamp(date))-\(step)-\(StoreLayout.safeFileName(user)).log"
    }

    /// UTC time for file names: `2026-11-25T10-15-00Z`.
    public static func timestamp(_ date: Date = Date()) -> String {
        UTCTime.fileName(date)
    }
}
