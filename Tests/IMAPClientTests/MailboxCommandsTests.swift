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

    @Test("LIST-STATUS answers STATUS of every selectable folder with the LIST, in one round trip")
    func listWithStatus() async throws {
        try await withDovecot { server in
            let client = try await server.loggedInClient()
            try await client.create(MailboxName("Přijatá pošta"))
            _ = try await client.append(
                [
                    AppendRequest(bytes: sampleMessage(subject: "one")),
                    AppendRequest(bytes: sampleMessage(subject: "two")),
                ],
                to: MailboxName("Přijatá pošta"))
            #expect(await client.capabilities.contains(.listStatus))
            let before = await client.roundTrips
            let items = ["MESSAGES", "UIDNEXT", "UIDVALIDITY", "SIZE", "HIGHESTMODSEQ"]
            let (listings, statuses) = try await client.listWithStatus(items)
            #expect(await client.roundTrips == before + 1)
            #expect(listings.count == statuses.count, "every listed folder here is selectable")
            let asked = try await client.statuses(of: listings.map(\.name), items: items)
            for (listing, status) in zip(listings, asked) {
                #expect(statuses[listing.name] == status, "\(listing.name): the same values as a STATUS")
            }
            #expect(statuses[MailboxName("Přijatá pošta")]?.messages == 2)
            #expect(statuses[MailboxName("Přijatá pošta")]?.uidNext == 3)
            await client.logout()
        }
    }

    @Test("UID STOREs of several flag sets go out together: one round trip, each set applied")
    func pipelinedStores() async throws {
        try await withDovecot { server in
            let client = try await server.loggedInClient()
            _ = try await client.append(
                (1...4).map { AppendRequest(bytes: sampleMessage(subject: "m\($0)")) }, to: .inbox)
            try await client.select(.inbox)
            let before = await client.roundTrips
            try await client.uidStores([
                FlagStore(UIDSet([1, 2]), .replace, flags: [.seen]),
                FlagStore(UIDSet([3]), .replace, flags: [.seen, .flagged, "$label1"]),
                FlagStore(UIDSet([4]), .replace, flags: [.answered]),
            ])
            #expect(await client.roundTrips == before + 1)
            let fetched = try await client.uidFetchAttributes(UIDSet([1, 2, 3, 4]), items: ["UID", "FLAGS"])
            let flags = Dictionary(
                fetched.map { message in
                    (message.uid ?? 0, Set((message.flags ?? []).filter { $0 != .recent }.map(\.name)))
                }
            ) { a, _ in a }
            #expect(flags[1] == ["\\Seen"] && flags[2] == ["\\Seen"])
            #expect(flags[3] == ["\\Seen", "\\Flagged", "$label1"])
            #expect(flags[4] == ["\\Answered"])
            // A failed SELECT leaves nothing selected: both STOREs are refused, and that is thrown.
            await #expect(throws: IMAPError.self) { try await client.select(MailboxName("Does Not Exist")) }
            await #expect(throws: IMAPError.self) {
                try await client.uidStores([
                    FlagStore(UIDSet([1]), .add, flags: [.flagged]), FlagStore(UIDSet([2]), .add, flags: [.flagged]),
                ])
            }
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

@Suite("Dovecot's lazily created special-use folders")
struct LazyAutoCreateTests {
    // Dovecot creates an `auto = subscribe` folder on its first open. Sessions opening it at once
    // race inside Dovecot: the loser's SELECT fails with NO [ALREADYEXISTS] although the folder now
    // exists, or its imap process aborts on the index lock (EDEADLK). Seen in CI when migrate's
    // push connections met on a fresh target.
    static let users = (1...10).map { DovecotUser(name: "user\($0)", password: "Secret123") }
    static let configuration = DovecotConfiguration(
        users: users, hierarchySeparator: "/", specialUseFolders: ["Sent Items": "\\Sent", "Junk": "\\Junk"])

    /// Four sessions of `user` SELECT "Sent Items" at once; what each one's SELECT threw.
    static func concurrentSelects(_ server: DovecotServer, user: String) async throws -> [IMAPError] {
        var clients: [IMAPClient] = []
        for _ in 0..<4 { clients.append(try await server.loggedInClient(user: user)) }
        defer { for client in clients { Task { await client.logout() } } }
        return await withTaskGroup(of: IMAPError?.self) { group in
            for client in clients {
                group.addTask {
                    do {
                        _ = try await client.select(MailboxName("Sent Items"))
                        return nil
                    } catch { return error as? IMAPError }
                }
            }
            var failures: [IMAPError] = []
            for await failure in group { if let failure { failures.append(failure) } }
            return failures
        }
    }

    @Test("a SELECT that loses the creation race is tried again: no ALREADYEXISTS reaches the caller")
    func selectRetriesTheRace() async throws {
        try await withDovecot(Self.configuration) { server in
            for user in Self.users {
                let failures = try await Self.concurrentSelects(server, user: user.name)
                // A session whose server process aborted is the reconnect logic's to handle.
                let refused = failures.filter { if case .connectionClosed = $0 { false } else { true } }
                #expect(refused.isEmpty, "\(user.name): \(refused)")
            }
        }
    }

    @Test("one STATUS of the folders first creates them: then parallel SELECTs all succeed and none aborts")
    func statusFirstAvoidsTheRace() async throws {
        try await withDovecot(Self.configuration) { server in
            for user in Self.users {
                let planner = try await server.loggedInClient(user: user.name)
                _ = try await planner.statuses(
                    of: [MailboxName("Sent Items"), MailboxName("Junk")], items: ["MESSAGES"])
                let failures = try await Self.concurrentSelects(server, user: user.name)
                #expect(failures.isEmpty, "\(user.name): \(failures)")
                await planner.logout()
            }
            #expect(!server.logContents.contains("Panic"), "\(server.logContents.suffix(2000))")
        }
    }
}
