import Foundation

/// Writes to stdout or stderr that never kill the process: `mailferry … | head` closes the pipe
/// early, and FileHandle.write(_:) traps on EPIPE. What cannot be written is dropped.
enum StandardStreams {
    static func out(_ text: String) { try? FileHandle.standardOutput.write(contentsOf: Data(text.utf8)) }
    static func err(_ text: String) { try? FileHandle.standardError.write(contentsOf: Data(text.utf8)) }
}
