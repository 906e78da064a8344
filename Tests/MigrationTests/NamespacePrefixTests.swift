import DovecotHarness
import Foundation
import IMAPClient
import IMAPCore
import Logging
import MailStore
import Migration
import Testing

/// Courier-style servers keep every folder under the personal namespace prefix `INBOX.`; a
/// Dovecot with `prefix = INBOX.` and separator "." looks exactly like them over IMAP.
@Suite("namespace prefixes against real Dovecots")
struct NamespacePrefixTests {
    private static let password = "Prefix-Passw0rd"

    private static func configuration(
        prefix: String, separator: Character, specialUse: [String: String]
    ) -> DovecotConfiguration {
        DovecotConfiguration(
            users: [DovecotUser(name: "pat", password: password)], hierarchySeparator: separator,
            specialUseFolders: specialUse, namespacePrefix: prefix)
    }

    private static func configuration(_ server: DovecotServer) -> IMAPClientConfiguration {
        IMAPClientConfiguration(
            endpoint: IMAPEndpoint(host: server.host, port: server.imapsPort, user: "pat", security: .implicitTLS),
            tls: TLSConfiguration(caFile: server.caFile))
    }

    private static func client(_ server: DovecotServer) async throws -> IMAPClient {
        let client = IMAPClient(configuration: configuration(server))
        try await client.connect()
        try await client.login(password: password)
        return client
    }

    /// One message per folder, its subject naming the folder it was put in.
    private static func seed(_ server: DovecotServer, folders: [String]) async throws {
        let client = try await client(server)
        for folder in folders {
            let existing = try await client.list().map(\.name.description)
            if folder != "INBOX" && !existing.contains(folder) { try await client.create(MailboxName(folder)) }
            let bytes = Array(
                "Message-ID: <\(folder.replacingOccurrences(of: "/", with: "-"))@prefix.test>\r\nSubject: from \(folder)\r\n\r\nbody of \(folder)\r\n"
                    .utf8)
            _ = try await client.append([AppendRequest(bytes: bytes, flags: [.seen])], to: MailboxName(folder))
        }
        await client.logout()
    }

    /// Target folder name → subjects found there.
    private static func subjects(on server: DovecotServer) async throws -> [String: [String]] {
        let client = try await client(server)
        var result: [String: [String]] = [:]
        for listing in try await client.list() where listing.isSelectable {
            let selected = try await client.select(listing.name, readOnly: true)
            result[listing.name.description] = []
            guard selected.exists > 0 else { continue }
            let sink = SubjectSink()
            try await client.uidFetch([.all], items: ["UID", "BODY.PEEK[HEADER.FIELDS (SUBJECT)]"], into: sink)
            result[listing.name.description] = sink.subjects.sorted()
        }
        await client.logout()
        return result
    }

    private static func migrate(
        from source: DovecotServer, to target: DovecotServer, store: String
    ) async throws -> MigrateEngine.Summary {
        let pull = PullOptions(source: configuration(source), storeRoot: store, job: "pat", connections: 2)
        let push = PushOptions(target: configuration(target), storeRoot: store, job: "pat", connections: 2)
        return try await MigrateEngine(pull: pull, push: push, console: { _ in SwiftLogNoOpLogHandler() })
            .run(sourcePassword: password, targetPassword: password)
    }

    private static func verify(_ target: DovecotServer, store: String) async throws -> VerifyReport {
        try await VerifyEngine(
            target: configuration(target), storeRoot: store, job: "pat", console: { _ in SwiftLogNoOpLogHandler() }
        )
        .run(targetPassword: password)
    }

    @Test("an INBOX.-prefixed source lands on a plain target: Sent in Sent Items, INBOX.Projects.2024 in Projects/2024")
    func courierSourceToPlainTarget() async throws {
        let pair = try await DovecotPair.launch(
            source: Self.configuration(prefix: "INBOX.", separator: ".", specialUse: [:]),
            target: Self.configuration(
                prefix: "", separator: "/", specialUse: ["Sent Items": "\\Sent", "Deleted Items": "\\Trash"]))
        defer { pair.stop() }
        let (source, target) = (pair.source, pair.target)
        let store = try makeTemporaryDirectory()
        // No SPECIAL-USE at the source: Sent and Trash are recognised by name below the prefix.
        try await Self.seed(
            source, folders: ["INBOX", "INBOX.Sent", "INBOX.Trash", "INBOX.Projects", "INBOX.Projects.2024"])
        _ = try await Self.migrate(from: source, to: target, store: store)
        let found = try await Self.subjects(on: target)
        #expect(found["INBOX"] == ["from INBOX"])
        #expect(found["Sent Items"] == ["from INBOX.Sent"])
        #expect(found["Deleted Items"] == ["from INBOX.Trash"])
        #expect(found["Projects"] == ["from INBOX.Projects"])
        #expect(found["Projects/2024"] == ["from INBOX.Projects.2024"])
        #expect(!found.keys.contains { $0.hasPrefix("INBOX/") }, "nothing nested under INBOX: \(found.keys.sorted())")
        #expect(
            try StateDatabase(path: StoreLayout(storeRoot: store, job: "pat").database).job()?.sourceNamespacePrefix
                == "INBOX.")
        let report = try await Self.verify(target, store: store)
        #expect(report.isEqual, "\(report.text)")
        #expect(report.folders.count == 5)
    }

    @Test("a plain source lands on an INBOX.-prefixed target: folders get the target's prefix")
    func plainSourceToCourierTarget() async throws {
        let pair = try await DovecotPair.launch(
            source: Self.configuration(prefix: "", separator: "/", specialUse: ["Sent": "\\Sent"]),
            target: Self.configuration(prefix: "INBOX.", separator: ".", specialUse: [:]))
        defer { pair.stop() }
        let (source, target) = (pair.source, pair.target)
        let store = try makeTemporaryDirectory()
        try await Self.seed(source, folders: ["INBOX", "Sent", "Projects", "Projects/2024"])
        // The target has its Sent folder by name only, below its prefix.
        let admin = try await Self.client(target)
        try await admin.create(MailboxName("INBOX.Sent"))
        await admin.logout()
        _ = try await Self.migrate(from: source, to: target, store: store)
        let found = try await Self.subjects(on: target)
        #expect(found["INBOX"] == ["from INBOX"])
        #expect(found["INBOX.Sent"] == ["from Sent"])
        #expect(found["INBOX.Projects"] == ["from Projects"])
        #expect(found["INBOX.Projects.2024"] == ["from Projects/2024"])
        let report = try await Self.verify(target, store: store)
        #expect(report.isEqual, "\(report.text)")
    }
}

/// Collects the Subject header of each fetched message.
final class SubjectSink: FetchSink, @unchecked Sendable {
    var subjects: [String] = []
    private var bytes: [UInt8] = []
    func beginBody(_ section: BodySection, size: Int, of message: FetchedMessage) throws { bytes = [] }
    func appendBody(_ chunk: ArraySlice<UInt8>) throws { bytes += chunk }
    func endBody() throws {}
    func finishMessage(_ message: FetchedMessage) throws {
        let text = String(decoding: bytes, as: UTF8.self)
        subjects += text.split(whereSeparator: \.isNewline).filter { $0.hasPrefix("Subject: ") }.map {
            String($0.dropFirst(9))
        }
    }
}
