import Foundation
import Logging
import MailStore

/// Appends log lines to one file (one per job and step), UTC-stamped, flushed per line so a
/// killed run keeps its log. A value type, as swift-log expects: copies may change their own
/// metadata from any thread; only the file itself is shared, behind a lock.
public struct FileLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level =
        ProcessInfo.processInfo.environment["MAILFERRY_TEST_LOG_TRACE"] == "1" ? .trace : .info
    private let sink: Sink

    public init(path: String) throws {
        sink = try Sink(path: path)
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(
        level: Logger.Level, message: Logger.Message, metadata extra: Logger.Metadata?,
        source: String, file: String, function: String, line: UInt
    ) {
        let merged = metadata.merging(extra ?? [:]) { $1 }
        let context =
            merged.isEmpty
            ? "" : " " + merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        sink.write("\(level)\(context) \(message)")
    }

    private final class Sink: @unchecked Sendable {
        private let handle: FileHandle
        private let lock = NSLock()
        /// Lines a write error (a full disk) dropped: the log says so once it can write again.
        private var lost = 0

        init(path: String) throws {
            if !FileManager.default.fileExists(atPath: path) {
                FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
            }
            handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            handle.seekToEndOfFile()
        }

        func write(_ line: String) {
            lock.lock()
            defer { lock.unlock() }
            // Never FileHandle.write(_:): it traps on a write error, and a full disk must stop
            // the run cleanly, not crash it from its log.
            let now = UTCTime.iso8601(Date(), fraction: true)
            var text = "\(now) \(line)\n"
            if lost > 0 { text = "\(now) warning \(lost) log line(s) were lost to a write error\n" + text }
            do {
                try handle.write(contentsOf: Data(text.utf8))
                lost = 0
            } catch {
                lost += 1
            }
        }
    }
}
