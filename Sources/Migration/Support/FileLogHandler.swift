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
            handle.write(Data("\(UTCTime.iso8601(Date(), fraction: true)) \(line)\n".utf8))
        }
    }
}
