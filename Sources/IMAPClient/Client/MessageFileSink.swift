import Foundation
import IMAPCore

/// Streams each fetched whole message into its own file, `<directory>/<uid>.eml`, through a
/// temporary name, so a half-received message never sits under its final name.
public final class MessageFileSink: FetchSink, @unchecked Sendable {
    public let directory: String
    /// Attributes and final path of every message completed so far.
    public private(set) var completed: [(message: FetchedMessage, path: String, bytes: Int)] = []
    private var descriptor: Int32 = -1
    private var temporaryPath = ""
    private var written = 0

    public init(directory: String) { self.directory = directory }

    deinit { if descriptor >= 0 { close(descriptor); unlink(temporaryPath) } }

    public func beginBody(_ section: BodySection, size: Int, of message: FetchedMessage) throws {
        guard section.isWholeMessage else { return }
        temporaryPath = "\(directory)/.\(message.uid ?? 0).\(getpid()).tmp"
        descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw SinkError.cannotWrite(path: temporaryPath, reason: String(cString: strerror(errno)))
        }
        written = 0
    }

    public func appendBody(_ bytes: ArraySlice<UInt8>) throws {
        guard descriptor >= 0 else { return }
        try bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let count = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                guard count > 0 else {
                    throw SinkError.cannotWrite(path: temporaryPath, reason: String(cString: strerror(errno)))
                }
                offset += count
            }
        }
        written += bytes.count
    }

    public func endBody() throws {
        guard descriptor >= 0 else { return }
        close(descriptor)
        descriptor = -1
    }

    public func finishMessage(_ message: FetchedMessage) throws {
        guard !temporaryPath.isEmpty else { return }
        let finalPath = "\(directory)/\(message.uid ?? UInt32(message.sequenceNumber)).eml"
        guard rename(temporaryPath, finalPath) == 0 else {
            throw SinkError.cannotWrite(path: finalPath, reason: String(cString: strerror(errno)))
        }
        completed.append((message, finalPath, written))
        temporaryPath = ""
    }

    public enum SinkError: Error, CustomStringConvertible {
        case cannotWrite(path: String, reason: String)
        public var description: String {
            switch self {
            case .cannotWrite(let path, let reason): return "cannot write \(path): \(reason)"
            }
        }
    }
}
