import DovecotHarness
import Foundation

/// A source and a target Dovecot for one test: both started, or neither left running.
public struct DovecotPair: Sendable {
    public let source: DovecotServer
    public let target: DovecotServer

    public static func start(source: DovecotConfiguration, target: DovecotConfiguration) throws -> DovecotPair {
        let started = try DovecotServer.start(source)
        do {
            return DovecotPair(source: started, target: try DovecotServer.start(target))
        } catch {
            started.stop()
            throw error
        }
    }

    /// `start` on a thread of its own: launching two Dovecots blocks for a second or more, which
    /// must not hold one of the cooperative pool's two threads that every other test needs.
    public static func launch(source: DovecotConfiguration, target: DovecotConfiguration) async throws -> DovecotPair {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { continuation.resume(with: Result { try start(source: source, target: target) }) }
        }
    }

    public func stop() {
        target.stop()
        source.stop()
    }

    /// Both test CAs in one PEM file in `directory`, as `--ca-file` takes it for commands that
    /// talk to both servers.
    public func combinedCAFile(in directory: String) throws -> String {
        let path = directory + "/both-ca.pem"
        let pem =
            try String(contentsOfFile: source.caFile, encoding: .utf8)
            + String(contentsOfFile: target.caFile, encoding: .utf8)
        try pem.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}
