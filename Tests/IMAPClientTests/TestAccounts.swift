import DovecotHarness
import Foundation
import IMAPClient
import IMAPCore
import Logging

/// A password that exercises every quoting rule: `"`, `\`, space, `{` and non-ASCII.
let hardPassword = "p\"a\\ss {w}ord ž Ř"

/// Starts a private Dovecot for one test, runs `body`, and always stops it.
func withDovecot<T>(
    _ configuration: DovecotConfiguration = DovecotConfiguration(users: [
        DovecotUser(name: "alice", password: "Secret123"),
        DovecotUser(name: "bob", password: hardPassword),
    ]), _ body: (DovecotServer) async throws -> T
) async throws -> T {
    let server = try DovecotServer.start(configuration)
    defer { server.stop() }
    do {
        return try await body(server)
    } catch {
        print("dovecot log:\n" + server.logContents.suffix(3000))
        throw error
    }
}

extension DovecotServer {
    /// Client settings for `user` on this server: implicit TLS trusting the test CA.
    func clientConfiguration(
        user: String, implicitTLS: Bool = true, trustCA: Bool = true,
        ioTimeout: Double = 30
    ) -> IMAPClientConfiguration {
        IMAPClientConfiguration(
            endpoint: IMAPEndpoint(
                host: host, port: implicitTLS ? imapsPort : imapPort, user: user,
                security: implicitTLS ? .implicitTLS : .startTLSWhenOffered),
            tls: TLSConfiguration(verifiesCertificate: true, caFile: trustCA ? caFile : nil),
            timeouts: Timeouts(connect: 5, io: ioTimeout))
    }

    /// A connected, logged-in client.
    func loggedInClient(
        user: String = "alice", password: String = "Secret123", logger: Logger? = nil
    ) async throws -> IMAPClient {
        let client = IMAPClient(configuration: clientConfiguration(user: user), logger: logger ?? Logger(label: "test"))
        try await client.connect()
        try await client.login(password: password)
        return client
    }
}

/// A small RFC 5322 message with CRLF line ends.
func sampleMessage(subject: String, body: String = "Hello.\r\n", messageID: String? = nil) -> [UInt8] {
    var text = "From: Alice <alice@example.com>\r\nTo: Bob <bob@example.com>\r\nSubject: \(subject)\r\n"
    if let messageID { text += "Message-ID: <\(messageID)>\r\n" }
    text += "Date: Thu, 05 Nov 2026 10:15:00 +0100\r\n\r\n" + body
    return Array(text.utf8)
}

/// Keeps fetched messages in memory; fine for the small messages of these tests.
final class MemorySink: FetchSink, @unchecked Sendable {
    var bodies: [UInt32: [UInt8]] = [:]
    var messages: [UInt32: FetchedMessage] = [:]
    private var current: [UInt8] = []

    func beginBody(_ section: BodySection, size: Int, of message: FetchedMessage) throws { current = [] }
    func appendBody(_ bytes: ArraySlice<UInt8>) throws { current += bytes }
    func endBody() throws {}
    func finishMessage(_ message: FetchedMessage) throws {
        guard let uid = message.uid else { return }
        bodies[uid] = current
        messages[uid] = message
    }
}

/// Captures log lines so tests can prove what never gets logged. A value type like every
/// swift-log handler; the captured lines live in a shared, locked store.
struct CapturingLogHandler: LogHandler {
    final class Store: @unchecked Sendable {
        private let lock = NSLock()
        private var storage: [String] = []
        func append(_ line: String) { lock.lock(); storage.append(line); lock.unlock() }
        var lines: [String] { lock.lock(); defer { lock.unlock() }; return storage }
    }

    let store = Store()
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    var lines: [String] { store.lines }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(
        level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String, file: String,
        function: String, line: UInt
    ) {
        store.append("\(level) \(message)")
    }
}

/// A TCP port on 127.0.0.1 that nothing listens on (bound, read, released).
func unusedPort() throws -> Int {
    let listener = try LoopbackListener()
    let port = listener.port
    listener.close()
    return port
}
