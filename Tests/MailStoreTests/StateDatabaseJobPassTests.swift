import Foundation
import MailStore
import Testing

/// The job's account binding and the pass life cycle (full, delta, resume, seal).
@Suite("StateDatabase job and passes")
struct StateDatabaseJobPassTests {
    @Test("the first bind records the account")
    func firstBind() throws {
        let store = try TestDatabase()
        #expect(try store.database.job() == nil)
        try store.database.bindJob(host: "imap.example.com", port: 993, user: "alice@example.com")
        let job = try #require(try store.database.job())
        #expect(job.id == 1)
        #expect(job.sourceHost == "imap.example.com")
        #expect(job.sourcePort == 993)
        #expect(job.sourceUser == "alice@example.com")
    }

    @Test("the same account binds again, host and user in any case, any port")
    func sameAccount() throws {
        let store = try TestDatabase()
        try store.database.bindJob(host: "imap.example.com", port: 993, user: "alice@example.com")
        try store.database.bindJob(host: "IMAP.Example.COM", port: 993, user: "Alice@Example.com")
        try store.database.bindJob(host: "imap.example.com", port: 143, user: "alice@example.com")
        let job = try #require(try store.database.job())
        #expect(job.sourceHost == "imap.example.com", "the first spelling is kept")
        #expect(job.sourcePort == 993, "the port is neither compared nor updated")
    }

    @Test(
        "another account is refused, naming both",
        arguments: [
            ("imap.example.com", "bob@example.com"),
            ("imap.other.example", "alice@example.com"),
        ])
    func otherAccount(host: String, user: String) throws {
        let store = try TestDatabase()
        try store.database.bindJob(host: "imap.example.com", port: 993, user: "alice@example.com")
        let error = #expect(throws: StoreError.self) { try store.database.bindJob(host: host, port: 993, user: user) }
        let text = error.map(String.init(describing:)) ?? ""
        #expect(text.contains("alice@example.com on imap.example.com"), "\(text)")
        #expect(text.contains("\(user) on \(host)"), "\(text)")
        #expect(try store.database.job()?.sourceUser == "alice@example.com")
    }

    @Test("the first pass is full and running")
    func firstPassFull() throws {
        let store = try TestDatabase()
        let pass = try store.database.openPass()
        #expect(pass.id == 1)
        #expect(pass.kind == .full)
        #expect(pass.status == .running)
        #expect(pass.finishedAt == nil && pass.archiveName == nil)
        #expect(pass.messagesAdded == 0 && pass.bytesAdded == 0 && pass.flagsChanged == 0)
    }

    @Test("an unfinished pass is resumed, not replaced")
    func resume() throws {
        let store = try TestDatabase()
        let first = try store.database.openPass()
        let folder = try store.folder("INBOX", pass: first.id).id
        try store.database.commitBatch(
            inserted: [TestDatabase.message(folder: folder, uid: 1, pass: first.id)], rekeyed: [],
            folderID: folder, highestUID: 1, passID: first.id)
        let again = try store.database.openPass()
        #expect(again.id == first.id)
        #expect(again.kind == .full)
        #expect(again.messagesAdded == 1, "the resumed pass keeps its counters")
        #expect(try store.database.passes().count == 1)
    }

    @Test("after a sealed pass the next one is a delta")
    func deltaAfterSeal() throws {
        let store = try TestDatabase()
        let full = try store.database.openPass()
        try store.database.sealPass(full.id, archiveName: "2026-11-25T10-15-00Z-full.tar")
        let sealed = try #require(try store.database.pass(id: full.id))
        #expect(sealed.status == .sealed)
        #expect(sealed.archiveName == "2026-11-25T10-15-00Z-full.tar")
        #expect(sealed.finishedAt != nil)

        let delta = try store.database.openPass()
        #expect(delta.id == 2)
        #expect(delta.kind == .delta)
        #expect(delta.status == .running)
        try store.database.sealPass(delta.id, archiveName: "")
        let next = try store.database.openPass()
        #expect(next.id == 3)
        #expect(next.kind == .delta)
        #expect(try store.database.passes().map(\.id) == [1, 2, 3])
        #expect(try store.database.passes().map(\.status) == [.sealed, .sealed, .running])
    }

    @Test("issues are kept per pass, in order")
    func issues() throws {
        let store = try TestDatabase()
        let pass = try store.database.openPass().id
        try store.database.recordIssue(
            PassIssueRecord(passID: pass, scope: .message, folder: "INBOX", uid: 7, reason: "too big"))
        try store.database.recordIssue(
            PassIssueRecord(passID: pass, scope: .folder, folder: "Junk", uid: nil, reason: "NO [ALERT]"))
        try store.database.recordIssue(
            PassIssueRecord(passID: pass + 1, scope: .account, folder: nil, uid: nil, reason: "later"))
        let issues = try store.database.issues(passID: pass)
        #expect(issues.map(\.reason) == ["too big", "NO [ALERT]"])
        #expect(issues.first?.uid == 7)
        #expect(issues.last?.uid == nil)
    }
}
