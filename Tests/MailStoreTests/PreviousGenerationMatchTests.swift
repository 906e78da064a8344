import Foundation
import MailStore
import Testing

/// Finding a message of an older UIDVALIDITY generation by identity (Message-ID, size, SHA-256).
@Suite("StateDatabase.previousGenerationMatch")
struct PreviousGenerationMatchTests {
    static let sha = String(repeating: "a", count: 64)

    /// One folder holding an old-generation (100) message with and one without a Message-ID,
    /// and a current-generation (200) message; plus another folder with the same bytes.
    static func setUp() throws -> (TestDatabase, folder: Int64, other: Int64) {
        let store = try TestDatabase()
        let inbox = try store.folder("INBOX", pass: 1).id
        let other = try store.folder("Archive", pass: 1).id
        try store.database.commitBatch(
            inserted: [
                TestDatabase.message(
                    folder: inbox, uidValidity: 100, uid: 1, pass: 1, size: 500, sha256: sha, messageID: "<m@x>"),
                MessageRecord(
                    folderID: inbox, uidValidity: 100, uid: 2, flags: "", internalDate: "14-Nov-2023 22:13:20 +0000",
                    size: 600, sha256: sha, messageID: nil, maildirFile: "f2", passID: 1),
                TestDatabase.message(
                    folder: inbox, uidValidity: 200, uid: 1, pass: 1, size: 700, sha256: sha, messageID: "<cur@x>"),
            ], rekeyed: [], folderID: inbox, highestUID: 2, passID: 1)
        try store.database.commitBatch(
            inserted: [
                TestDatabase.message(
                    folder: other, uidValidity: 100, uid: 1, pass: 1, size: 800, sha256: sha, messageID: "<o@x>")
            ], rekeyed: [], folderID: other, highestUID: 1, passID: 1)
        return (store, inbox, other)
    }

    struct Query: Sendable, CustomTestStringConvertible {
        let note: String
        let messageID: String?
        let size: Int64
        let sha256: String
        let inOtherFolder: Bool
        let expectedUID: Int64?
        var testDescription: String { note }
    }

    static let queries: [Query] = [
        Query(
            note: "same identity in the old generation", messageID: "<m@x>", size: 500, sha256: sha,
            inOtherFolder: false, expectedUID: 1),
        Query(
            note: "different Message-ID", messageID: "<n@x>", size: 500, sha256: sha, inOtherFolder: false,
            expectedUID: nil),
        Query(
            note: "different size", messageID: "<m@x>", size: 501, sha256: sha, inOtherFolder: false, expectedUID: nil),
        Query(
            note: "different hash", messageID: "<m@x>", size: 500, sha256: String(repeating: "b", count: 64),
            inOtherFolder: false, expectedUID: nil),
        Query(
            note: "no Message-ID matches only a row without one", messageID: nil, size: 600, sha256: sha,
            inOtherFolder: false, expectedUID: 2),
        Query(
            note: "no Message-ID never matches a row with one", messageID: nil, size: 500, sha256: sha,
            inOtherFolder: false, expectedUID: nil),
        Query(
            note: "a Message-ID never matches a row without one", messageID: "<m@x>", size: 600, sha256: sha,
            inOtherFolder: false, expectedUID: nil),
        Query(
            note: "the current generation is not a previous one", messageID: "<cur@x>", size: 700, sha256: sha,
            inOtherFolder: false, expectedUID: nil),
        Query(
            note: "another folder's message is not a match", messageID: "<o@x>", size: 800, sha256: sha,
            inOtherFolder: false, expectedUID: nil),
        Query(
            note: "matching in the other folder finds it there", messageID: "<o@x>", size: 800, sha256: sha,
            inOtherFolder: true, expectedUID: 1),
    ]

    @Test("matches on folder, older generation, Message-ID, size and SHA-256", arguments: queries)
    func match(_ query: Query) throws {
        let (store, inbox, other) = try Self.setUp()
        let found = try store.database.previousGenerationMatch(
            folderID: query.inOtherFolder ? other : inbox, currentUIDValidity: 200,
            messageID: query.messageID, size: query.size, sha256: query.sha256)
        #expect(found?.uid == query.expectedUID)
        if query.expectedUID != nil {
            #expect(found?.uidValidity == 100)
            #expect(found?.folderID == (query.inOtherFolder ? other : inbox))
        }
    }
}
