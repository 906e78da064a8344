import DovecotHarness
import IMAPClient
import IMAPCore
import Testing

@Suite("folder survey (EXAMINE, UID SEARCH and the changed flags in one round trip) against a real Dovecot")
struct FolderSurveyTests {
    @Test("one round trip gives the folder's state, every UID and exactly the messages changed since a mod-sequence")
    func surveyInOneRoundTrip() async throws {
        try await withDovecot { server in
            let client = try await server.loggedInClient()
            _ = try await client.append(
                (1...300).map { AppendRequest(bytes: sampleMessage(subject: "message \($0)")) }, to: .inbox)
            let before = try await client.select(.inbox)
            let known = try #require(before.highestModSeq)
            try await client.uidStore(UIDSet([2]), .add, flags: [.flagged])
            try await client.uidStore(UIDSet([4]), .add, flags: [.seen, "$label1"])
            let many = UIDSet(Array(stride(from: UInt32(100), through: 300, by: 2)))
            try await client.uidStore(many, .add, flags: [.answered])
            try await client.select(MailboxName("Trash"))

            let trips = await client.roundTrips
            let survey = try await client.survey(.inbox, changedSince: known)
            #expect(await client.roundTrips == trips + 1, "EXAMINE, UID SEARCH and UID FETCH sent together")
            #expect(survey.selected.exists == 300)
            #expect(survey.selected.uidValidity == before.uidValidity)
            #expect(survey.selected.isReadOnly, "EXAMINE: nothing can change \\Seen")
            #expect((survey.selected.highestModSeq ?? 0) > known)
            #expect(survey.uids == Array(1...300))
            // Dovecot runs the SEARCH and the FETCH side by side; their answers interleave.
            let changed = try #require(survey.changedFlags)
            #expect(
                changed.compactMap(\.uid).sorted() == [2, 4] + Array(stride(from: UInt32(100), through: 300, by: 2)))
            #expect(changed.first { $0.uid == 2 }?.flags?.contains(.flagged) == true)
            #expect(changed.first { $0.uid == 4 }?.flags?.contains("$label1") == true)
            #expect(await client.selected?.name == .inbox, "the surveyed folder is the selected one")

            let unchanged = try await client.survey(.inbox, changedSince: survey.selected.highestModSeq)
            #expect(unchanged.changedFlags?.isEmpty == true, "nothing changed since the survey")
            let withoutModSeq = try await client.survey(.inbox, changedSince: nil)
            #expect(withoutModSeq.changedFlags == nil, "not asked")
            #expect(withoutModSeq.uids == Array(1...300))
            await client.logout()
        }
    }

    @Test(
        "a prefetch of new bodies shares the survey's round trip, and reaches its sink only under the expected UIDVALIDITY"
    )
    func prefetchWithTheSurvey() async throws {
        try await withDovecot { server in
            let client = try await server.loggedInClient()
            let messages = (1...10).map { sampleMessage(subject: "message \($0)") }
            _ = try await client.append(messages.map { AppendRequest(bytes: $0, flags: [.seen]) }, to: .inbox)
            let before = try await client.select(.inbox)
            let validity = try #require(before.uidValidity)
            let known = try #require(before.highestModSeq)
            try await client.uidStore(UIDSet([2]), .add, flags: [.flagged])
            try await client.select(MailboxName("Trash"))

            let sink = MemorySink()
            let trips = await client.roundTrips
            let survey = try await client.survey(
                .inbox, changedSince: known,
                prefetch: SurveyPrefetch(
                    uids: UIDSet(ranges: [6...10]), items: IMAPClient.messageItems, expectedUIDValidity: validity,
                    sink: sink))
            #expect(await client.roundTrips == trips + 1, "EXAMINE, SEARCH, the changed flags and the bodies together")
            #expect(survey.prefetched)
            #expect(survey.uids == Array(1...10))
            #expect(survey.selected.uidValidity == validity)
            #expect(Set(sink.bodies.keys) == Set(6...10), "exactly the asked-for bodies")
            for uid in UInt32(6)...10 {
                #expect(sink.bodies[uid] == messages[Int(uid) - 1], "bytes of UID \(uid)")
                #expect(sink.messages[uid]?.internalDate != nil)
            }
            // The bodies' FETCH answers carry flags too; the changed flags are only what CHANGEDSINCE sent.
            let changed = try #require(survey.changedFlags)
            #expect(changed.contains { $0.uid == 2 && $0.flags?.contains(.flagged) == true })

            // Another generation: the same UIDs would name other messages, so nothing is handed over.
            let elsewhere = MemorySink()
            let other = try await client.survey(
                .inbox, changedSince: nil,
                prefetch: SurveyPrefetch(
                    uids: UIDSet(ranges: [6...10]), items: IMAPClient.messageItems,
                    expectedUIDValidity: validity &+ 1, sink: elsewhere))
            #expect(!other.prefetched)
            #expect(elsewhere.bodies.isEmpty && elsewhere.messages.isEmpty)
            #expect(other.uids == Array(1...10), "the survey itself is whole")
            #expect(await client.selected?.name == .inbox, "and the connection goes on")
            await client.logout()
        }
    }

    @Test("an empty folder has no UIDs; a missing one fails as EXAMINE naming it, and the session goes on")
    func emptyAndMissingFolders() async throws {
        try await withDovecot { server in
            let client = try await server.loggedInClient()
            try await client.select(.inbox)
            let empty = try await client.survey(MailboxName("Trash"), changedSince: 1)
            #expect(empty.selected.exists == 0)
            #expect(empty.uids.isEmpty)
            #expect(empty.changedFlags?.isEmpty == true)

            do {
                _ = try await client.survey(MailboxName("Nowhere"), changedSince: 1)
                Issue.record("a missing folder must fail")
            } catch IMAPError.commandFailed(_, let command, let mailbox, _) {
                #expect(command == "EXAMINE")
                #expect(mailbox == "Nowhere")
            }
            #expect(await client.selected == nil, "a failed EXAMINE leaves nothing selected (RFC 3501 6.3.1)")
            let again = try await client.survey(.inbox, changedSince: nil)
            #expect(again.selected.name == .inbox, "the connection is still usable")
            await client.logout()
        }
    }
}
