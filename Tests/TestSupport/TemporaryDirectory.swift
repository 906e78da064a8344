import Foundation

/// A fresh directory per test, removed when the test lets go of it, so parallel tests never
/// share files.
public final class TemporaryDirectory: @unchecked Sendable {
    public let path: String

    public init(prefix: String = "mailferry-test") throws {
        path = NSTemporaryDirectory() + prefix + "-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    public func file(_ relative: String) -> String { path + "/" + relative }

    /// Names directly in `relative` (or this directory), hidden ones included, sorted.
    public func listing(_ relative: String = "") throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: relative.isEmpty ? path : file(relative)).sorted()
    }

    /// A directory that outlives the test (kept for a failing test to be looked at), short
    /// enough for socket paths.
    public static func kept(prefix: String = "/tmp/mft-") throws -> String {
        let path = prefix + String(UUID().uuidString.prefix(8))
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
