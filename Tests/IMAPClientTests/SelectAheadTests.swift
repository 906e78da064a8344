import DovecotHarness
import IMAPClient
import IMAPCore
import Testing

@Suite("SELECT sent at the end of another flight, against a real Dovecot")
struct SelectAheadTests {
    @Test(
        "APPENDs into the selected mailbox with the next one's SELECT behind them: that SELECT costs no round trip and says what a SELECT of its own says"
    )
    func selectBehindAppends() async throws {
        try await withDovecot { server in
            let client = try await server.loggedInClient()
            let sent = MailboxName("Sent")
            _ = try await client.append(
                (1...3).map { AppendRequest(bytes: sampleMessage(subject: "sent \($0)")) }, to: sent)
            let inbox = try await client.select(.inbox)
            #expect(inbox.exists == 0)
            let before = await client.roundTrips
            // The APPENDs raise the INBOX's EXISTS while it is selected: none of that may count for Sent.
            let outcomes = try await client.append(
                (1...2).map { AppendRequest(bytes: sampleMessage(subject: "inbox \($0)")) }, to: .inbox,
                storesFirst: [FlagStore(UIDSet([1]), .add, flags: [.seen])], thenSelect: sent)
            #expect(outcomes.count == 2)
            let ahead = try await client.select(sent)
            #expect(await client.roundTrips == before + 1, "one flight for the APPENDs and the SELECT")
            #expect(await client.selected == ahead)
            #expect(ahead.exists == 3)
            #expect(ahead.uidNext == 4)
            #expect(ahead.permanentFlags.contains(.anyKeyword) && ahead.highestModSeq != nil)
            let again = try await client.select(sent)
            #expect(await client.roundTrips == before + 2, "the answer is used once; a later SELECT asks again")
            #expect(again.exists == ahead.exists && again.uidValidity == ahead.uidValidity)
            #expect(again.uidNext == ahead.uidNext && again.permanentFlags == ahead.permanentFlags)
            await client.logout()
        }
    }

    @Test(
        "UID STOREs with the next mailbox's SELECT behind them; a SELECT the server refuses leaves nothing selected and is asked again"
    )
    func selectBehindStores() async throws {
        try await withDovecot { server in
            let client = try await server.loggedInClient()
            _ = try await client.append(
                (1...2).map { AppendRequest(bytes: sampleMessage(subject: "inbox \($0)")) }, to: .inbox)
            try await client.select(.inbox)
            let before = await client.roundTrips
            try await client.uidStores(
                [FlagStore(UIDSet([1]), .add, flags: [.flagged])], thenSelect: MailboxName("Trash"))
            let trash = try await client.select(MailboxName("Trash"))
            #expect(await client.roundTrips == before + 1)
            #expect(trash.exists == 0 && trash.uidValidity != nil)
            try await client.select(.inbox)
            let flags = try await client.uidFetchAttributes(UIDSet([1]), items: ["UID", "FLAGS"])
            #expect(flags.first?.flags?.contains(.flagged) == true, "the STORE before the SELECT was applied")

            try await client.uidStores(
                [FlagStore(UIDSet([2]), .add, flags: [.seen])], thenSelect: MailboxName("Does Not Exist"))
            #expect(await client.selected == nil, "a refused SELECT leaves no mailbox selected")
            await #expect(throws: IMAPError.self) { try await client.select(MailboxName("Does Not Exist")) }
            await client.logout()
        }
    }
}
