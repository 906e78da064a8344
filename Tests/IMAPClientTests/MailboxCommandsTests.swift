import DovecotHarness
import IMAPClient
import IMAPCore
import Testing

@Suite("Mailbox commands against a real Dovecot")
struct MailboxCommandsTests {
    @Test("LIST returns special-use attributes and the separator; Unicode names round-trip through CREATE")
    func listWithSpecialUse() async throws {
        let configuration = DovecotConfiguration(
            users: [DovecotUser(name: "alice", password: "Secret123")],
            hierarchySeparator: "/",
            specialUseFolders: ["Sent Items": "\\Sent", "Drafts": "\\Drafts", "Trash": "\\Trash"])
        try await withDovecot(configuration) { server in
            let client = try await server.loggedInClient()
            for name in ["Přijatá pošta", "Входящие", "A&B", "Projects/2026/Q4"] {
                try await client.create(MailboxName(name))
            }
            let listings = try await client.list()
            let byName = Dictionary(listings.map { ($0.name.description, $0) }, uniquingKeysWith: { a, _ in a })
            #expect(byName["Sent Items"]?.specialUse == "\\Sent")
            #expect(byName["Drafts"]?.specialUse == "\\Drafts")
            #expect(byName["INBOX"] != nil)
            #expect(byName["Přijatá pošta"]?.name.wireBytes == Array("P&AVk-ijat&AOE- po&AWE-ta".utf8))
            #expect(byName["Входящие"] != nil)
            #expect(byName["A&B"]?.name.wireBytes == Array("A&-B".utf8))
            #expect(byName["Projects/2026/Q4"]?.separator == "/")
            #expect(byName["Projects/2026"] != nil, "parents are created with the child")
            await client.logout()
        }
    }

    @Test("SELECT reports UIDVALIDITY, UIDNEXT, PERMANENTFLAGS and HIGHESTMODSEQ; STATUS pipelines")
    func selectAndStatus() async throws {
        try await withDovecot { server in
            let client = try await server.loggedInClient()
            _ = try await client.append([AppendRequest(bytes: sampleMessage(subject: "one"))], to: .inbox)
            let selected = try await client.select(.inbox)
            #expect(selected.exists == 1)
            #expect(selected.uidValidity != nil)
            #expect(selected.uidNext == 2)
            #expect(selected.permanentFlags.contains(.anyKeyword))
            #expect(selected.highestModSeq != nil, "CONDSTORE is enabled by SELECT (CONDSTORE)")
            #expect(selected.canStore("$Forwarded"))
            #expect(!selected.canStore(.recent))
            let statuses = try await client.statuses(
                of: [.inbox, MailboxName("Sent"), MailboxName("Trash")], items: ["MESSAGES", "UIDVALIDITY"])
            #expect(statuses.map(\.messages) == [1, 0, 0])
            #expect(statuses.allSatisfy { $0.uidValidity != nil })
            await #expect(throws: IMAPError.self) { try await client.select(MailboxName("Does Not Exist")) }
            await client.logout()
        }
    }

    @Test("a failing SELECT names the folder and is scoped to the folder")
    func selectFailureScope() async throws {
        try await withDovecot { server in
            let client = try await server.loggedInClient()
            do {
                try await client.select(MailboxName("Nowhere"))
                Issue.record("selected a folder that does not exist")
            } catch let error as IMAPError {
                #expect(error.scope == .folder)
                #expect(error.description.contains("\"Nowhere\""))
            }
            // The connection is still usable after a folder-level failure.
            try await client.noop()
            await client.logout()
        }
    }

    @Test("NAMESPACE, ID and ENABLE")
    func accountCommands() async throws {
        try await withDovecot { server in
            let client = try await server.loggedInClient()
            let namespace = try await client.namespace()
            #expect(namespace?.personal.first?.separator == ".")
            let identity = try await client.id([IDParameter(key: "name", value: "mailferry-test")])
            #expect(identity?.contains { $0.key.lowercased() == "name" } == true)
            let enabled = try await client.enable([.condStore])
            #expect(enabled.contains(.condStore))
            await client.logout()
        }
    }
}
