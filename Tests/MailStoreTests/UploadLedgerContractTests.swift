import Foundation
import MailStore
import Testing

/// One ledger under test, SQLite or in memory, with the pull-side changes the cases need.
protocol LedgerHarness {
    var ledger: UploadLedger { get }
    var targetID: Int64 { get }
    var folderID: Int64 { get }
    func add(uid: Int64) throws -> MessageRecord
    func markGone(_ message: MessageRecord) throws
    /// A later pass changed the message's flags.
    func changeFlags(_ message: MessageRecord) throws
}

final class SQLiteLedgerHarness: LedgerHarness {
    let store: TestDatabase
    let targetID: Int64, folderID: Int64, passID: Int64
    var ledger: UploadLedger { store.database }

    init() throws {
        store = try TestDatabase()
        passID = try store.database.openPass().id
        folderID = try store.folder("INBOX", pass: passID).id
        targetID = try store.database.target(host: "target.example", port: 993, user: "carol").id
    }

    func add(uid: Int64) throws -> MessageRecord {
        let message = TestDatabase.message(folder: folderID, uid: uid, pass: passID)
        try store.database.commitBatch(
            inserted: [message], rekeyed: [], folderID: folderID, highestUID: uid, passID: passID)
        return try store.database.allMessages(folderID: folderID).first { $0.uid == uid }!
    }

    func markGone(_ message: MessageRecord) throws {
        try store.database.markSourceGone(ids: [message.id!], passID: passID + 1)
    }

    func changeFlags(_ message: MessageRecord) throws {
        try store.database.updateFlags([(message.id!, "\\Seen \\Flagged", message.maildirFile)], passID: passID + 1)
    }
}

final class MemoryLedgerHarness: LedgerHarness {
    let memory = InMemoryUploadLedger()
    let targetID: Int64 = 1, folderID: Int64 = 1
    var ledger: UploadLedger { memory }

    func add(uid: Int64) throws -> MessageRecord {
        memory.put(TestDatabase.message(folder: folderID, uid: uid, pass: 1))
    }

    func markGone(_ message: MessageRecord) throws {
        var message = message
        message.sourceState = .gone
        memory.put(message)
    }

    func changeFlags(_ message: MessageRecord) throws {
        var message = message
        message.flags = "\\Seen \\Flagged"
        message.flagsPassID = 2
        memory.put(message)
    }
}

/// The exactly-once rules, held to by both ledgers: what the push engine relies on to never
/// append a message twice and never lose one.
@Suite("upload ledger contract: SQLite and in memory keep the same rules")
struct UploadLedgerContractTests {
    static func harness(_ kind: String) throws -> LedgerHarness {
        kind == "sqlite" ? try SQLiteLedgerHarness() : MemoryLedgerHarness()
    }

    func upload(_ message: MessageRecord, _ h: LedgerHarness, state: UploadRecord.State = .pending) -> UploadRecord {
        UploadRecord(
            messageRowID: message.id!, targetID: h.targetID, state: state, targetFolder: "INBOX",
            flags: .known("\\Seen"))
    }

    @Test(
        "new messages are candidates; pending ones stay candidates with their row until an outcome is recorded",
        arguments: ["sqlite", "memory"])
    func pendingUntilOutcome(kind: String) throws {
        let h = try Self.harness(kind)
        let (one, two, three) = (try h.add(uid: 1), try h.add(uid: 2), try h.add(uid: 3))
        #expect(
            try h.ledger.pushCandidates(targetID: h.targetID, folderID: h.folderID).map(\.message.uid) == [1, 2, 3])
        #expect(try h.ledger.pushCandidates(targetID: h.targetID, folderID: h.folderID).allSatisfy { $0.upload == nil })
        var pending = try h.ledger.markPending([upload(one, h), upload(two, h), upload(three, h)])
        #expect(pending.allSatisfy { $0.id != nil && $0.state == .pending })
        let afterCrash = try h.ledger.pushCandidates(targetID: h.targetID, folderID: h.folderID)
        #expect(
            afterCrash.map(\.message.uid) == [1, 2, 3] && afterCrash.allSatisfy { $0.upload?.state == .pending },
            "a crash after markPending: still candidates, flagged for a lookup before any APPEND")
        pending[0].state = .uploaded; pending[0].targetUIDValidity = 7; pending[0].targetUID = 101
        pending[1].state = .skipped; pending[1].reason = "too big"
        try h.ledger.saveUploads([pending[0], pending[1]])
        #expect(try h.ledger.pushCandidates(targetID: h.targetID, folderID: h.folderID).map(\.message.uid) == [3])
        #expect(try h.ledger.uploadedTargetUIDs(targetID: h.targetID, folderID: h.folderID, uidValidity: 7) == [101])
        #expect(try h.ledger.uploadedCount(targetID: h.targetID, folderID: h.folderID, uidValidity: 7) == 1)
        #expect(try h.ledger.uploadedCount(targetID: h.targetID, folderID: h.folderID, uidValidity: 8) == 0)
        let counts = try h.ledger.uploadCounts(targetID: h.targetID)
        #expect(counts.uploaded == 1 && counts.skipped == 1 && counts.pending == 1)
        try h.ledger.deleteUploads(ids: [pending[2].id!])
        #expect(
            try h.ledger.pushCandidates(targetID: h.targetID, folderID: h.folderID).map { $0.upload == nil } == [true],
            "a refusal that stored nothing (over quota) is forgotten: a plain candidate again")
    }

    @Test("a recreated target folder voids its UIDs but keeps the skips", arguments: ["sqlite", "memory"])
    func forget(kind: String) throws {
        let h = try Self.harness(kind)
        let (one, two) = (try h.add(uid: 1), try h.add(uid: 2))
        var rows = try h.ledger.markPending([upload(one, h), upload(two, h)])
        rows[0].state = .uploaded; rows[0].targetUIDValidity = 7; rows[0].targetUID = 1
        rows[1].state = .skipped; rows[1].reason = "refused"
        try h.ledger.saveUploads(rows)
        try h.ledger.forgetUploads(targetID: h.targetID, folderID: h.folderID)
        #expect(try h.ledger.pushCandidates(targetID: h.targetID, folderID: h.folderID).map(\.message.uid) == [1])
        #expect(try h.ledger.uploadCounts(targetID: h.targetID).skipped == 1)
    }

    @Test(
        "flag changes and source deletions make work only for uploaded messages, deletions only when propagated",
        arguments: ["sqlite", "memory"])
    func flagsAndDeletions(kind: String) throws {
        let h = try Self.harness(kind)
        let (one, two) = (try h.add(uid: 1), try h.add(uid: 2))
        var rows = try h.ledger.markPending([upload(one, h), upload(two, h)])
        for index in rows.indices {
            rows[index].state = .uploaded; rows[index].targetUIDValidity = 7; rows[index].targetUID = Int64(index + 1)
            rows[index].flagsPassID = 1
        }
        try h.ledger.saveUploads(rows)
        #expect(
            try !h.ledger.folderNeedsPush(targetID: h.targetID, folderID: h.folderID, propagateDeletes: true),
            "all done")
        try h.changeFlags(one)
        #expect(try h.ledger.flagSyncCandidates(targetID: h.targetID, folderID: h.folderID).map(\.message.uid) == [1])
        #expect(try h.ledger.folderNeedsPush(targetID: h.targetID, folderID: h.folderID, propagateDeletes: false))
        rows[0].flagsPassID = 2
        try h.ledger.saveUploads([rows[0]])
        #expect(try h.ledger.flagSyncCandidates(targetID: h.targetID, folderID: h.folderID).isEmpty)
        try h.markGone(two)
        #expect(try h.ledger.goneUploads(targetID: h.targetID, folderID: h.folderID).map(\.message.uid) == [2])
        #expect(try !h.ledger.folderNeedsPush(targetID: h.targetID, folderID: h.folderID, propagateDeletes: false))
        #expect(try h.ledger.folderNeedsPush(targetID: h.targetID, folderID: h.folderID, propagateDeletes: true))
        #expect(
            try h.ledger.pushCandidates(targetID: h.targetID, folderID: h.folderID).isEmpty,
            "a gone message is never appended")
    }
}
