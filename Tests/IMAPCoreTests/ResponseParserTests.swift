import IMAPCore
import Testing

/// The fixture tables fed whole, pipelined, and a few properties of the parsed values.
@Suite("ResponseParser")
struct ResponseParserTests {
    @Test("all fixtures fed as one stream parse to their expected events in order, none lost at the seams")
    func fixtureCount() throws {
        let names = ResponseParserFixtures.all.map(\.name)
        #expect(Set(names).count == names.count, "unique names, so a failure names one fixture")
        var parser = ResponseParser()
        for fixture in ResponseParserFixtures.all { parser.append(fixture.bytes) }
        let events = try drain(&parser)
        #expect(normalized(events) == ResponseParserFixtures.all.flatMap(\.expected))
    }

    @Test("fed in one piece", arguments: ResponseParserFixtures.all)
    func wholeInput(_ fixture: ParseFixture) throws {
        var parser = ResponseParser()
        parser.append(fixture.bytes)
        let events = try drain(&parser)
        #expect(normalized(events) == fixture.expected)
        #expect(parser.bufferedByteCount == 0, "bytes left over")
        #expect(!parser.isInsideFetch)
        #expect(try parser.next() == nil)
    }

    @Test("fed one byte at a time", arguments: ResponseParserFixtures.all)
    func byteByByte(_ fixture: ParseFixture) throws {
        let (events, parser) = try parse(chunks: fixture.bytes.map { [$0] })
        #expect(normalized(events) == fixture.expected)
        #expect(parser.bufferedByteCount == 0)
    }

    @Test("fed through the raw-buffer append used by the socket layer", arguments: ResponseParserFixtures.fetch)
    func rawBufferAppend(_ fixture: ParseFixture) throws {
        var parser = ResponseParser()
        fixture.bytes.withUnsafeBytes { parser.append($0) }
        #expect(normalized(try drain(&parser)) == fixture.expected)
    }

    @Test("every fixture in one pipelined stream gives every fixture's events in order")
    func pipelined() throws {
        let fixtures = ResponseParserFixtures.all
        let stream = fixtures.flatMap(\.bytes)
        let expected = normalized(fixtures.flatMap(\.expected))
        // Whole, and in 7-byte chunks so chunk edges fall everywhere.
        let (whole, _) = try parse(chunks: [stream])
        #expect(normalized(whole) == expected)
        let chunks = stride(from: 0, to: stream.count, by: 7).map { Array(stream[$0..<min($0 + 7, stream.count)]) }
        let (chunked, parser) = try parse(chunks: chunks)
        #expect(normalized(chunked) == expected)
        #expect(parser.bufferedByteCount == 0)
    }

    @Test("isInsideFetch is true exactly between fetchStart and fetchEnd")
    func insideFetchFlag() throws {
        var parser = ResponseParser()
        parser.append(bytes(wire("* 1 FETCH (UID 7 BODY[] {3}", "abc)", "A1 OK done")))
        var states: [(ResponseEvent, Bool)] = []
        while let event = try parser.next() { states.append((event, parser.isInsideFetch)) }
        #expect(states.map(\.1) == [true, true, true, true, true, false, false])
        #expect(states.first?.0 == .fetchStart(sequenceNumber: 1))
        #expect(states.last?.0 == tagged("A1", .ok, nil, "done"))
    }

    @Test("LIST names decode from modified UTF-7 and keep their wire bytes")
    func listNamesDecode() throws {
        let cases: [(String, String)] = [
            (#"* LIST (\HasNoChildren) "/" "P&AVk-ijat&AOE- po&AWE-ta""#, "Přijatá pošta"),
            (#"* LIST () "/" "~peter/mail/&U,BTFw-/&ZeVnLIqe-""#, "~peter/mail/台北/日本語"),
            (#"* LIST () "/" peter/mail/&U,BTFw-/&ZeVnLIqe-"#, "peter/mail/台北/日本語"),
            (#"* LIST () "." "&BBIERQQ+BDQETwRJBDgENQ-""#, "Входящие"),
            (#"* LIST () "/" Tom&-Jerry"#, "Tom&Jerry"),
        ]
        for (line, expected) in cases {
            let (events, _) = try parse(chunks: [bytes(wire(line))])
            guard case .untagged(.list(let listing))? = events.first else {
                Issue.record("no LIST event for \(line)"); continue
            }
            #expect(listing.name.decoded == expected)
            #expect(listing.name.description == expected)
        }
    }

    @Test("a LIST name that is not valid modified UTF-7 keeps its bytes and has no decoded form")
    func listNameInvalidUTF7() throws {
        let (events, _) = try parse(chunks: [bytes(wire(#"* LIST () "/" "Bad&Name""#))])
        guard case .untagged(.list(let listing))? = events.first else { Issue.record("no LIST event"); return }
        #expect(listing.name.wireBytes == bytes("Bad&Name"))
        #expect(listing.name.decoded == nil)
        #expect(listing.name.description == "Bad&Name")
    }

    @Test("special-use and selectability of LIST replies")
    func listingProperties() throws {
        let (events, _) = try parse(chunks: [
            bytes(
                wire(
                    #"* LIST (\HasNoChildren \Sent) "/" Sent"#,
                    #"* LIST (\Noselect \HasChildren) "/" Archive"#,
                    #"* LIST (\NonExistent) "/" Gone"#,
                    #"* LIST (\HasNoChildren \junk) "/" Spam"#))
        ])
        let listings = events.compactMap { event -> MailboxListing? in
            if case .untagged(.list(let listing)) = event { return listing } else { return nil }
        }
        #expect(listings.map(\.specialUse) == ["\\Sent", nil, nil, "\\Junk"])
        #expect(listings.map(\.isSelectable) == [true, false, false, true])
    }

    @Test("untagged EXISTS directly after a FETCH is not mistaken for one")
    func existsAfterFetch() throws {
        let text = wire("* 1 FETCH (UID 4)", "* 1 EXISTS", "* 10 FETCH (UID 5)")
        let (events, _) = try parse(chunks: [bytes(text)])
        #expect(
            events == [
                .fetchStart(sequenceNumber: 1), .fetchAttribute(.uid(4)), .fetchEnd, untagged(.exists(1)),
                .fetchStart(sequenceNumber: 10), .fetchAttribute(.uid(5)), .fetchEnd,
            ])
    }

    @Test("body sections describe themselves")
    func bodySectionDescription() {
        #expect(section("BODY").description == "BODY[]")
        #expect(section("BODY").isWholeMessage)
        #expect(section("BINARY").isWholeMessage)
        #expect(section("RFC822").isWholeMessage)
        #expect(!section("RFC822.HEADER").isWholeMessage)
        #expect(!section("BODY", "TEXT").isWholeMessage)
        #expect(!section("BODY", origin: 0).isWholeMessage)
        #expect(section("BODY", "TEXT", origin: 1024).description == "BODY[TEXT]<1024>")
        #expect(section("RFC822.HEADER").description == "RFC822.HEADER")
    }

    @Test("a long session crossing the buffer compaction threshold parses like a short one")
    func longSession() throws {
        // ~200 KB of responses in 1000-byte reads: the parser compacts its buffer while lines
        // and literals straddle reads.
        var text = ""
        var expected: [ResponseEvent] = []
        for number in 1...2500 {
            let subject = "Subject \(number) (part)"
            text += "* \(number) FETCH (UID \(number + 100) BODY[HEADER.FIELDS (SUBJECT)] " + literal(subject) + ")\r\n"
            text += #"* LIST (\HasNoChildren) "/" "# + literal("Box \(number)") + "\r\n"
            expected +=
                [.fetchStart(sequenceNumber: number), .fetchAttribute(.uid(UInt32(number + 100)))]
                + bodyEvents("BODY", "HEADER.FIELDS (SUBJECT)", subject) + [
                    .fetchEnd,
                    untagged(.list(listing(["\\HasNoChildren"], "/", "Box \(number)"))),
                ]
        }
        text += "A9 OK done\r\n"
        expected.append(tagged("A9", .ok, nil, "done"))
        let input = bytes(text)
        #expect(input.count > 150_000)
        let chunks = stride(from: 0, to: input.count, by: 1000).map { Array(input[$0..<min($0 + 1000, input.count)]) }
        let (events, parser) = try parse(chunks: chunks)
        #expect(normalized(events) == expected)
        #expect(parser.bufferedByteCount == 0)
    }

    // MARK: Known IMAPCore bugs (these fail until fixed)

    /// ByteCursor.atLiteral treats any `~` as the start of a literal8 (`~{n}`), so astring /
    /// nstring / genericValue reject an atom that begins with `~`, which is a valid ATOM-CHAR.
    /// RFC 3501 §5.1.3's own example name is `~peter/mail/&U,BTFw-/&ZeVnLIqe-`.
    @Test(
        "an atom mailbox name starting with ~ parses",
        arguments: [
            (#"* LIST () "/" ~peter/mail/&U,BTFw-/&ZeVnLIqe-"#, "~peter/mail/&U,BTFw-/&ZeVnLIqe-"),
            (#"* LSUB () "/" ~backup"#, "~backup"),
            ("* STATUS ~backup (MESSAGES 1)", "~backup"),
        ])
    func tildeAtomName(_ line: String, _ name: String) throws {
        let (events, _) = try parse(chunks: [bytes(wire(line))])
        let names = events.compactMap { event -> MailboxName? in
            switch event {
            case .untagged(.list(let listing)), .untagged(.lsub(let listing)): return listing.name
            case .untagged(.status(let name, _)): return name
            default: return nil
            }
        }
        #expect(names == [mailbox(name)])
    }

    /// ResponseParser.endOfResponse decides a line ends in a literal from the bytes alone; resp-text
    /// cannot hold a literal, so a server text that happens to end in `{5}` (Dovecot echoes the
    /// mailbox name in "Mailbox doesn't exist: …") makes the parser wait for bytes that never come.
    @Test("response text ending in {5} is not taken for a literal")
    func textEndingInBraces() throws {
        let (events, parser) = try parse(chunks: [bytes(wire("A8 NO [TRYCREATE] Mailbox doesn't exist: x{5}"))])
        #expect(events == [tagged("A8", .no, .tryCreate, "Mailbox doesn't exist: x{5}")])
        #expect(parser.bufferedByteCount == 0)
    }

    /// ResponseParser.literalAnnouncedBefore looks back from the line feed without stopping at the
    /// start of the segment, so when a literal's own bytes end in `{n}` right before the CRLF that
    /// ends the response, the framer takes them for a new literal announcement.
    @Test("a literal mailbox name ending in {1} does not swallow the next response")
    func literalEndingInBraces() throws {
        let text = wire(#"* LIST () "/" "# + literal("a{1}"), "A1 OK done")
        let (events, parser) = try parse(chunks: [bytes(text)])
        #expect(events == [untagged(.list(listing([], "/", "a{1}"))), tagged("A1", .ok, nil, "done")])
        #expect(parser.bufferedByteCount == 0)
    }

    /// RFC 3516 `BINARY.SIZE[section] SP number`: the item name stops at `[`, is not BODY or
    /// BINARY, and FetchGrammar.fetchItem then demands a space.
    @Test("FETCH BINARY.SIZE[] parses")
    func binarySize() throws {
        let (events, _) = try parse(chunks: [bytes(wire("* 1 FETCH (UID 7 BINARY.SIZE[] 1234)"))])
        #expect(events.count == 4)
        #expect(events.first == .fetchStart(sequenceNumber: 1))
        #expect(events.last == .fetchEnd)
    }
}
