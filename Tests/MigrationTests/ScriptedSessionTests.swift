import Foundation
import IMAPClient
import IMAPCore
import Logging
import MailStore
import Testing

@testable import Migration

/// A scripted session, on purpose: no server can be made to send a message without
/// INTERNALDATE, or to be stopped between two messages of one FETCH, on demand. The worker
/// under test is the real FolderPuller over a real store.
final class ScriptedSession: IMAPSession, @unchecked Sendable {
    struct Message {
        var uid: UInt32
        var body: String
        var hasDate = true
    }

    let messages: [Message]
    /// Called after each message is handed to the sink (a test stops the job here).
    var afterMessage: @Sendable (Int) -> Void = { _ in }

    init(_ messages: [Message]) { self.messages = messages }

    var capabilities: Set<Capability> { get async { [] } }

    func select(_ mailbox: MailboxName, readOnly: Bool) async throws -> SelectedMailbox {
        var selected = SelectedMailbox(name: mailbox)
        selected.exists = messages.count
        selected.uidValidity = 42
        selected.uidNext = (messages.map(\.uid).max() ?? 0) + 1
        return selected
    }

    func uidSearch(_ criteria: String) async throws -> [UInt32] { messages.map(\.uid) }

    func survey(_ mailbox: MailboxName, changedSince: UInt64?, prefetch: SurveyPrefetch?) async throws -> FolderSurvey {
        FolderSurvey(
            selected: try await select(mailbox, readOnly: true), uids: try await uidSearch("ALL"), changedFlags: nil)
    }

    func uidFetch(_ sets: [UIDSet], items: [String], changedSince: UInt64?, into sink: FetchSink) async throws {
        for (index, scripted) in messages.enumerated() {
            var message = FetchedMessage(sequenceNumber: index + 1)
            message.uid = scripted.uid
            message.flags = [.seen]
            message.internalDate = scripted.hasDate ? InternalDate("17-Jul-1996 02:44:25 -0700") : nil
            let bytes = Array(scripted.body.utf8)
            message.rfc822Size = bytes.count
            try sink.beginBody(BodySection(item: "BODY", section: "", origin: nil), size: bytes.count, of: message)
            try sink.appendBody(bytes[...])
            try sink.endBody()
            try sink.finishMessage(message)
            afterMessage(index + 1)
        }
    }

    func uidFetchAttributes(_ set: UIDSet, items: [String], changedSince: UInt64?) async throws -> [FetchedMessage] {
        []
    }
    func append(
        _ requests: [AppendRequest], to mailbox: MailboxName, multiAppendBatchSize: Int, storesFirst: [FlagStore],
        thenSelect: MailboxName?, onBodyBytes: (@Sendable (Int) -> Void)?,
        onOutcome: (@Sendable (Int, AppendOutcome) -> Void)?
    ) async throws -> [AppendOutcome] { [] }
    func create(_ mailbox: MailboxName) async throws {}
    func subscribe(_ mailbox: MailboxName) async throws {}
    func uidStore(_ uids: UIDSet, _ change: FlagChange, flags: [Flag], unchangedSince: UInt64?) async throws {}
    func uidStores(_ stores: [FlagStore], thenSelect: MailboxName?) async throws {}
    func uidExpunge(_ uids: UIDSet) async throws {}
}

@Suite("pull worker against a scripted session")
struct ScriptedSessionTests {
    struct Store {
        let directory: TemporaryDirectory
        let layout: StoreLayout
        let database: StateDatabase
        let folder: FolderRecord
        let passID: Int64

        init() throws {
            directory = try TemporaryDirectory()
            layout = StoreLayout(storeRoot: directory.path, job: "scripted")
            try layout.prepare()
            database = try StateDatabase(path: layout.database)
            try database.bindJob(host: "scripted.example", port: 993, user: "u")
            passID = try database.openPass().id
            folder = try database.insertFolder(
                FolderRecord.New(
                    wireName: Data("INBOX".utf8), name: "INBOX", separator: ".", attributes: "", specialUse: nil,
                    maildirPath: "", state: .active, pass: passID))
        }

        func puller(_ session: ScriptedSession, control: JobControl, commitEvery: Int = 500) -> FolderPuller {
            let options = PullOptions(
                source: IMAPClientConfiguration(
                    endpoint: IMAPEndpoint(host: "scripted.example", port: 993, user: "u", security: .implicitTLS)),
                storeRoot: directory.path, job: "scripted", commitEvery: commitEvery)
            return FolderPuller(
                client: session, database: database, layout: layout, passID: passID, options: options,
                progress: TransferProgress(), logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() },
                control: control)
        }
    }

    @Test("a message without INTERNALDATE is skipped with its UID and reason; the others are stored")
    func messageWithoutDate() async throws {
        let store = try Store()
        let session = ScriptedSession([
            .init(uid: 1, body: "A\r\n"), .init(uid: 2, body: "B\r\n", hasDate: false),
            .init(uid: 3, body: "C\r\n"),
        ])
        let events = EventRecorder()
        let control = JobControl()
        control.events.subscribe(events.record)
        let result = try await store.puller(session, control: control).pull(store.folder)
        #expect(result.newMessages == 2)
        #expect(try store.database.allMessages(folderID: store.folder.id).map(\.uid).sorted() == [1, 3])
        let issues = try store.database.issues(passID: store.passID)
        #expect(issues.count == 1 && issues[0].uid == 2 && issues[0].scope == .message)
        #expect(
            events.events.contains { $0.kind == .messageSkipped(folder: "INBOX", uid: 2, reason: issues[0].reason) })
    }

    @Test("a stop between two messages of one FETCH keeps what arrived, committed, and nothing after it")
    func stopMidFetch() async throws {
        let store = try Store()
        let session = ScriptedSession((1...10).map { .init(uid: UInt32($0), body: "message \($0)\r\n") })
        let control = JobControl()
        session.afterMessage = { if $0 == 3 { control.stop.requestStop() } }
        await #expect(throws: JobStopped.self) {
            _ = try await store.puller(session, control: control).pull(store.folder)
        }
        #expect(
            try store.database.allMessages(folderID: store.folder.id).map(\.uid).sorted() == [1, 2, 3, 4],
            "the message that was arriving when the stop came is finished and committed; none after it")
        let files = try FileManager.default.contentsOfDirectory(atPath: store.layout.maildir + "/cur")
        #expect(files.count == 4, "every committed row has its file")
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: store.layout.maildir + "/tmp").isEmpty,
            "nothing half-written")
    }
}
