import DovecotHarness
import Foundation
import IMAPClient
import IMAPCore
import Logging
import MailCorpus
import MailStore
import Migration
@_exported import TestSupport

let sourcePassword = "Source-Passw0rd"

/// A private Dovecot holding a generated corpus for user `alice`, and a store folder.
struct PullFixture {
    let server: DovecotServer
    let store: String
    let separator: Character

    /// The source Dovecot's set-up: user alice, the given separator.
    static func configuration(separator: Character) -> DovecotConfiguration {
        DovecotConfiguration(
            users: [DovecotUser(name: "alice", password: sourcePassword)], hierarchySeparator: separator)
    }

    static func start(spec: CorpusSpec = CorpusSpec(), separator: Character = ".") async throws -> PullFixture {
        try await load(spec: spec, into: DovecotServer.start(configuration(separator: separator)), separator: separator)
    }

    /// Fills alice's account on `server` with the corpus of `spec`.
    static func load(spec: CorpusSpec, into server: DovecotServer, separator: Character) async throws -> PullFixture {
        let store = try makeTemporaryDirectory()
        let client = try await server.connectedClient()
        let folders = try CorpusGenerator(spec: spec, scratchDirectory: store).folders()
        try await CorpusLoader(client: client).load(folders, separator: separator)
        await client.logout()
        for name in (try? FileManager.default.contentsOfDirectory(atPath: store)) ?? []
        where name.hasPrefix("corpus-large") {
            unlink("\(store)/\(name)")
        }
        return PullFixture(server: server, store: store, separator: separator)
    }

    var endpoint: IMAPEndpoint {
        IMAPEndpoint(host: server.host, port: server.imapsPort, user: "alice", security: .implicitTLS)
    }

    func options(store: String? = nil, connections: Int = 3, commitEvery: Int = 500) -> PullOptions {
        PullOptions(
            source: IMAPClientConfiguration(endpoint: endpoint, tls: TLSConfiguration(caFile: server.caFile)),
            storeRoot: store ?? self.store, job: "alice", connections: connections, commitEvery: commitEvery)
    }

    func pull(store: String? = nil) async throws -> PullSummary {
        try await PullEngine(options: options(store: store), console: { _ in SwiftLogNoOpLogHandler() }).run(
            password: sourcePassword)
    }

    func layout(store: String? = nil) -> StoreLayout { StoreLayout(storeRoot: store ?? self.store, job: "alice") }

    func stop() {
        server.stop()
        try? FileManager.default.removeItem(atPath: store)
    }
}

extension DovecotServer {
    /// Deletes the lowest-UID message of alice's INBOX at the source, as a user would.
    func expungeFirstInboxMessage() async throws {
        let client = try await connectedClient()
        try await client.select(.inbox)
        let uids = try await client.uidSearch("ALL")
        try await client.uidStore(UIDSet([uids[0]]), .add, flags: [.deleted])
        try await client.uidExpunge(UIDSet([uids[0]]))
        await client.logout()
    }

    func connectedClient(user: String = "alice", password: String = sourcePassword) async throws -> IMAPClient {
        let client = IMAPClient(
            configuration: IMAPClientConfiguration(
                endpoint: IMAPEndpoint(host: host, port: imapsPort, user: user, security: .implicitTLS),
                tls: TLSConfiguration(caFile: caFile)))
        try await client.connect()
        try await client.login(password: password)
        return client
    }
}

func makeTemporaryDirectory() throws -> String { try TemporaryDirectory.kept() }

/// What one message is, independent of where it is stored: the comparison key of the tests.
struct MessageFacts: Hashable, Comparable, CustomStringConvertible {
    var folder: String
    var sha256: String
    var size: Int
    var flags: [String]
    var internalDateSeconds: Int

    static func < (a: MessageFacts, b: MessageFacts) -> Bool { a.description < b.description }
    var description: String {
        "\(folder) \(sha256.prefix(12)) \(size) [\(flags.joined(separator: " "))] \(internalDateSeconds)"
    }
}

/// Hashes every message of every selectable folder straight from a server, through a separate
/// connection: the independent side of each comparison.
func snapshot(
    of server: DovecotServer, user: String = "alice", password: String = sourcePassword
) async throws -> [MessageFacts] {
    // Right after a test kills a client with -9, a busy Dovecot now and then drops the next
    // connection (seen as EOF or a reset during the TLS handshake under a parallel run). The
    // check is of the mailbox, not of that connection: one more try on a transient failure.
    do {
        return try await readSnapshot(of: server, user: user, password: password)
    } catch let error as IMAPError where error.isTransient {
        try await Task.sleep(for: .milliseconds(200))
        return try await readSnapshot(of: server, user: user, password: password)
    }
}

private func readSnapshot(of server: DovecotServer, user: String, password: String) async throws -> [MessageFacts] {
    let client = try await server.connectedClient(user: user, password: password)
    var facts: [MessageFacts] = []
    for listing in try await client.list() where listing.isSelectable {
        let selected = try await client.select(listing.name, readOnly: true)
        guard selected.exists > 0 else { continue }
        let sink = HashingSink(folder: listing.name.description)
        try await client.uidFetch([.all], items: IMAPClient.messageItems, into: sink)
        facts += sink.facts
    }
    await client.logout()
    return facts.sorted()
}

/// The store's view: database rows checked against their Maildir files (hash and flags).
func snapshot(of layout: StoreLayout) throws -> [MessageFacts] {
    let database = try StateDatabase(path: layout.database)
    var facts: [MessageFacts] = []
    for folder in try database.folders() {
        let maildir = MaildirFolder(root: layout.maildir, relativePath: folder.maildirPath)
        for record in try database.allMessages(folderID: folder.id) where record.sourceState == .present {
            let (sha, size) = try SHA256Hasher.hashFile(atPath: "\(maildir.cur)/\(record.maildirFile)")
            guard sha == record.sha256, Int64(size) == record.size else {
                throw StoreError.corrupt(path: record.maildirFile, reason: "file differs from its manifest row")
            }
            facts.append(
                MessageFacts(
                    folder: folder.name, sha256: sha, size: size,
                    flags: record.flags.names.sorted(),
                    internalDateSeconds: InternalDate(record.internalDate)!.secondsSince1970))
        }
    }
    return facts.sorted()
}

final class HashingSink: FetchSink, @unchecked Sendable {
    let folder: String
    var facts: [MessageFacts] = []
    private var hasher = SHA256Hasher()
    private var size = 0

    init(folder: String) { self.folder = folder }

    func beginBody(_ section: BodySection, size: Int, of message: FetchedMessage) throws {
        hasher = SHA256Hasher(); self.size = 0
    }
    func appendBody(_ bytes: ArraySlice<UInt8>) throws {
        bytes.withUnsafeBytes { hasher.update($0) }; size += bytes.count
    }
    func endBody() throws {}
    func finishMessage(_ message: FetchedMessage) throws {
        facts.append(
            MessageFacts(
                folder: folder, sha256: hasher.finalizeHex(), size: size,
                flags: (message.flags ?? []).filter { $0 != .recent }.map(\.name).sorted(),
                internalDateSeconds: message.internalDate?.secondsSince1970 ?? 0))
    }
}

/// Every file name under a directory tree, relative, sorted (to compare two stores).
func fileTree(_ root: String) -> [String] {
    guard let enumerator = FileManager.default.enumerator(atPath: root) else { return [] }
    return (enumerator.allObjects as? [String] ?? []).sorted()
}
