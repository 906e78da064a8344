import Foundation
import GRDB
import IMAPCore
import MailStore
import Testing

@Suite("FlagList")
struct FlagListTests {
    @Test("compared as a set, \\Recent never kept, system flags case-insensitive, text round-trips")
    func semantics() {
        #expect(FlagList(text: "\\Seen $label1") == FlagList(text: "$label1 \\seen"))
        #expect(FlagList(text: "\\Seen") != FlagList(text: "\\Seen \\Flagged"))
        #expect(FlagList([.seen, .recent]).flags == [.seen])
        #expect(FlagList(text: FlagList(text: "\\Answered $Forwarded").text) == FlagList([.answered, "$Forwarded"]))
        #expect(FlagList(text: "").flags.isEmpty && FlagList(text: "").text.isEmpty)
        #expect(Set([FlagList(text: "a b"), FlagList(text: "b a")]).count == 1, "equal lists hash alike")
    }

    @Test("stored as the schema's space-separated TEXT and read back")
    func storage() throws {
        let store = try TestDatabase()
        let pass = try store.database.openPass().id
        let folder = try store.folder("INBOX", pass: pass)
        let message = TestDatabase.message(folder: folder.id, uid: 1, pass: pass, flags: "\\Seen $label1")
        try store.database.commitBatch(
            inserted: [message], rekeyed: [], folderID: folder.id, highestUID: 1, passID: pass)
        let text = try store.database.queue.read { db in try String.fetchOne(db, sql: "SELECT flags FROM message") }
        #expect(text == "\\Seen $label1")
        #expect(try store.database.allMessages(folderID: folder.id).first?.flags == FlagList([.seen, "$label1"]))
    }
}
