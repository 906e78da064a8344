import DovecotHarness
import Foundation
import IMAPClient
import IMAPCore
import Testing

@Suite("APPEND and FETCH against a real Dovecot")
struct AppendFetchTests {
    @Test("APPEND then FETCH returns identical bytes, flags, keywords and INTERNALDATE")
    func roundTrip() async throws {
        try await withDovecot { server in
            let client = try await server.loggedInClient()
            let date = InternalDate("05-Nov-2026 10:15:00 +0100")!
            let messages: [(bytes: [UInt8], flags: [Flag])] = [
                (sampleMessage(subject: "plain", messageID: "a@x"), []),
                (
                    sampleMessage(subject: "flags", body: "8-bit: \u{17E}lu\u{165}ou\u{10D}k\u{FD}\r\n"),
                    [.seen, .flagged, .answered, .draft]
                ),
                (
                    sampleMessage(subject: "keywords", body: "{5}\r\n) not a literal\r\n"),
                    ["$Forwarded", "$label1", .seen]
                ),
                (sampleMessage(subject: "recent is dropped"), [.recent, .flagged]),
            ]
            let outcomes = try await client.append(
                messages.map { AppendRequest(bytes: $0.bytes, flags: $0.flags, internalDate: date) }, to: .inbox)
            let selected = try await client.select(.inbox)
            let uids = outcomes.compactMap { outcome -> UInt32? in
                if case .appended(let validity, let uid) = outcome {
                    #expect(validity == selected.uidValidity); return uid
                }
                return nil
            }
            #expect(uids == [1, 2, 3, 4], "APPENDUID gives every new UID")
            let sink = MemorySink()
            try await client.uidFetch([UIDSet(uids)], items: IMAPClient.messageItems, into: sink)
            for (uid, expected) in zip(uids, messages) {
                #expect(sink.bodies[uid] == expected.bytes, "bytes of UID \(uid)")
                let fetched = try #require(sink.messages[uid])
                // \Recent belongs to the session that first sees a message; it is never copied.
                #expect(
                    Set((fetched.flags ?? []).filter { $0 != .recent }) == Set(expected.flags.filter { $0 != .recent }))
                #expect(fetched.internalDate?.secondsSince1970 == date.secondsSince1970)
                #expect(fetched.rfc822Size == expected.bytes.count)
            }
            // BODY.PEEK[] must not have set \Seen on the plain message.
            let after = try await client.uidFetchAttributes(UIDSet([1]))
            #expect(after.first?.flags?.contains(.seen) == false)
            await client.logout()
        }
    }

    @Test(
        "flag STOREs sent ahead of APPENDs share their round trip; a refused STORE fails the call once the APPENDs are reported"
    )
    func storesAheadOfAppends() async throws {
        try await withDovecot { server in
            let client = try await server.loggedInClient()
            _ = try await client.append(
                (1...3).map { AppendRequest(bytes: sampleMessage(subject: "old \($0)")) }, to: .inbox)
            try await client.select(.inbox)
            let trips = await client.roundTrips
            let outcomes = try await client.append(
                (1...2).map { AppendRequest(bytes: sampleMessage(subject: "new \($0)"), flags: [.seen]) }, to: .inbox,
                storesFirst: [
                    FlagStore(UIDSet([1]), .replace, flags: [.flagged, "$label1"]),
                    FlagStore(UIDSet([2, 3]), .replace, flags: [.answered]),
                ])
            #expect(await client.roundTrips == trips + 1, "two STOREs and two APPENDs in one flight")
            let uids = outcomes.compactMap { outcome -> UInt32? in
                if case .appended(_, let uid) = outcome { return uid } else { return nil }
            }
            #expect(uids == [4, 5])
            let flags = Dictionary(
                uniqueKeysWithValues: try await client.uidFetchAttributes(UIDSet(ranges: [1...5])).map {
                    ($0.uid ?? 0, Set(($0.flags ?? []).filter { $0 != .recent }))
                })
            #expect(flags[1] == [.flagged, "$label1"])
            #expect(flags[2] == [.answered] && flags[3] == [.answered])
            #expect(flags[4] == [.seen] && flags[5] == [.seen])

            // With no mailbox selected (a failed SELECT leaves none) the STORE is refused; the
            // APPEND after it still lands and is reported. (Dovecot answers a STORE in an
            // EXAMINEd mailbox with OK, so read-only is no way to make it refuse.)
            _ = try? await client.select(MailboxName("Nowhere"))
            #expect(await client.selected == nil)
            let reported = ReportedOutcomes()
            do {
                _ = try await client.append(
                    [AppendRequest(bytes: sampleMessage(subject: "while read-only"))], to: .inbox,
                    storesFirst: [FlagStore(UIDSet([1]), .add, flags: [.deleted])],
                    onOutcome: { index, outcome in reported.add(index, outcome) })
                Issue.record("a refused STORE must fail the call")
            } catch IMAPError.commandFailed(_, let command, _, _) {
                #expect(command == "UID STORE")
            }
            #expect(reported.count == 1, "the APPEND's outcome was reported before the failure")
            let after = try await client.select(.inbox)
            #expect(after.exists == 6)
            #expect(try await client.uidFetchAttributes(UIDSet([1])).first?.flags?.contains(.deleted) == false)
            await client.logout()
        }
    }

    @Test("Dovecot stores bare LF as CRLF: the server, not the client, changes those bytes")
    func bareLineFeeds() async throws {
        // Documented so the pull tests know why a bare-LF source message can't be byte-equal
        // on a Dovecot target: its FETCH returns CRLF and RFC822.SIZE counts the CRs.
        try await withDovecot { server in
            let client = try await server.loggedInClient()
            let message = sampleMessage(subject: "bare", body: "one\ntwo\n")
            _ = try await client.append([AppendRequest(bytes: message)], to: .inbox)
            try await client.select(.inbox)
            let sink = MemorySink()
            try await client.uidFetch([UIDSet([1])], items: IMAPClient.messageItems, into: sink)
            let normalized = String(decoding: message, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n")
                .replacingOccurrences(of: "\n", with: "\r\n")
            #expect(sink.bodies[1] == Array(normalized.utf8))
            #expect(sink.messages[1]?.rfc822Size == normalized.utf8.count)
        }
    }

    @Test("MULTIAPPEND stores a batch in one command and reports a UID range")
    func multiAppend() async throws {
        try await withDovecot { server in
            let client = try await server.loggedInClient()
            #expect(await client.capabilities.contains(.multiAppend))
            let requests = (1...5).map { AppendRequest(bytes: sampleMessage(subject: "batch \($0)")) }
            let outcomes = try await client.append(requests, to: MailboxName("Archive"), multiAppendBatchSize: 5)
            #expect(outcomes.map(\.appendedUID) == [1, 2, 3, 4, 5])
            let status = try await client.status(MailboxName("Archive"))
            #expect(status.messages == 5)
            await client.logout()
        }
    }

    @Test("APPEND to a missing folder is refused with TRYCREATE; the rest of the pipeline goes on")
    func refusedAppend() async throws {
        try await withDovecot { server in
            let client = try await server.loggedInClient()
            let missing = try await client.append(
                [AppendRequest(bytes: sampleMessage(subject: "lost"))], to: MailboxName("Missing"))
            guard case .refused(let response) = missing.first else {
                Issue.record("append to a missing folder succeeded"); return
            }
            #expect(response.code == .tryCreate)
            let ok = try await client.append([AppendRequest(bytes: sampleMessage(subject: "fine"))], to: .inbox)
            #expect(ok.count == 1)
            if case .refused = ok[0] { Issue.record("append after a refusal failed") }
            await client.logout()
        }
    }

    @Test("UID STORE and UID SEARCH")
    func storeAndSearch() async throws {
        try await withDovecot { server in
            let client = try await server.loggedInClient()
            _ = try await client.append(
                (1...3).map { AppendRequest(bytes: sampleMessage(subject: "s\($0)")) }, to: .inbox)
            try await client.select(.inbox)
            try await client.uidStore(UIDSet([2]), .add, flags: [.flagged, "$label1"])
            #expect(try await client.uidSearch("FLAGGED") == [2])
            #expect(try await client.uidSearch("UID 2:*") == [2, 3])
            try await client.uidStore(UIDSet([2]), .remove, flags: [.flagged])
            #expect(try await client.uidSearch("FLAGGED").isEmpty)
            #expect(try await client.uidSearch("KEYWORD $label1") == [2])
            await client.logout()
        }
    }

    @Test("a 40 MB message streams from a file to the server and back to a file, byte for byte")
    func largeMessage() async throws {
        try await withDovecot { server in
            let directory = try temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let source = directory + "/big.eml"
            let size = try writeLargeMessage(to: source, approximateBytes: 40 * 1024 * 1024)
            let client = try await server.loggedInClient()
            let outcome = try await client.append(
                [AppendRequest(body: .file(path: source), size: size, flags: [.seen], internalDate: nil)], to: .inbox)
            #expect(outcome.map(\.appendedUID) == [1])
            try await client.select(.inbox, readOnly: true)
            let sink = MessageFileSink(directory: directory)
            try await client.uidFetch([UIDSet([1])], items: IMAPClient.messageItems, into: sink)
            #expect(sink.completed.count == 1)
            #expect(sink.completed.first?.bytes == size)
            #expect(try filesEqual(source, directory + "/1.eml"))
            await client.logout()
        }
    }

    @Test("a TLS connection the server closed fails the next APPEND with an error, not SIGPIPE for the process")
    func writeAfterServerClosed() async throws {
        try await withDovecot { server in
            let directory = try temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let source = directory + "/big.eml"
            let size = try writeLargeMessage(to: source, approximateBytes: 4 * 1024 * 1024)
            let client = try await server.loggedInClient()
            // The TLS proxy (imap-login) holding the idle connection goes away: the kernel sends
            // FIN, the first write then draws a RST, and the next write(2) raises SIGPIPE.
            let killer = Process()
            killer.executableURL = URL(fileURLWithPath: "/usr/bin/pkill")
            killer.arguments = ["-KILL", "-f", "dovecot-\(server.instanceName)/imap-login"]
            try killer.run()
            killer.waitUntilExit()
            try await Task.sleep(for: .milliseconds(200))
            // Without SIGPIPE blocked on the connection thread, the test process dies here.
            await #expect(throws: IMAPError.self) {
                _ = try await client.append(
                    [AppendRequest(body: .file(path: source), size: size, flags: [], internalDate: nil)], to: .inbox)
            }
            await client.logout()
        }
    }
}

func temporaryDirectory() throws -> String {
    let path = NSTemporaryDirectory() + "mf-" + UUID().uuidString.prefix(8)
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Writes a message of about `approximateBytes`: headers then base64-looking CRLF lines.
func writeLargeMessage(to path: String, approximateBytes: Int) throws -> Int {
    FileManager.default.createFile(atPath: path, contents: nil)
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    defer { try? handle.close() }
    var written = 0
    let header = Array(
        "From: a@example.com\r\nTo: b@example.com\r\nSubject: big\r\nMessage-ID: <big@example.com>\r\n\r\n".utf8)
    try handle.write(contentsOf: header)
    written += header.count
    let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    var block: [UInt8] = []
    for line in 0..<1024 {
        for column in 0..<76 { block.append(alphabet[(line * 7 + column * 13) % alphabet.count]) }
        block += [13, 10]
    }
    while written < approximateBytes {
        try handle.write(contentsOf: block)
        written += block.count
    }
    return written
}

/// Compares two files in 1 MiB chunks, without loading either whole.
func filesEqual(_ a: String, _ b: String) throws -> Bool {
    let first = try FileHandle(forReadingFrom: URL(fileURLWithPath: a))
    let second = try FileHandle(forReadingFrom: URL(fileURLWithPath: b))
    defer { try? first.close(); try? second.close() }
    while true {
        let left = try first.read(upToCount: 1 << 20) ?? Data()
        let right = try second.read(upToCount: 1 << 20) ?? Data()
        if left != right { return false }
        if left.isEmpty { return true }
    }
}

extension AppendOutcome {
    /// The UID the server gave, nil when refused or unknown.
    var appendedUID: UInt32? {
        if case .appended(_, let uid) = self { return uid }
        return nil
    }
}

/// Outcomes reported by `append`'s callback, which runs on the connection's thread.
final class ReportedOutcomes: @unchecked Sendable {
    private let lock = NSLock()
    private var outcomes: [Int: AppendOutcome] = [:]
    func add(_ index: Int, _ outcome: AppendOutcome) { lock.withLock { outcomes[index] = outcome } }
    var count: Int { lock.withLock { outcomes.count } }
}
