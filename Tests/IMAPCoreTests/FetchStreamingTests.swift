import IMAPCore
import Testing

/// Message bodies stream out of the parser as they arrive, whatever the read sizes.
@Suite("FETCH body streaming")
struct FetchStreamingTests {
    static let messageBody = ResponseParserFixtures.messageBody

    static let wireText =
        #"* 1 FETCH (UID 7 FLAGS (\Seen $Forwarded) INTERNALDATE "05-Nov-2026 10:15:00 +0100" RFC822.SIZE 44 BODY[] {44}"#
        + "\r\n" + messageBody + ")\r\nA5 OK Fetch completed (0.001 + 0.000 secs).\r\n"

    static let expectedOthers: [ResponseEvent] = [
        .fetchStart(sequenceNumber: 1),
        .fetchAttribute(.uid(7)),
        .fetchAttribute(.flags([.seen, "$Forwarded"])),
        .fetchAttribute(.internalDate(date("05-Nov-2026 10:15:00 +0100"))),
        .fetchAttribute(.rfc822Size(44)),
        .bodyStart(section("BODY"), size: 44),
        .bodyEnd,
        .fetchEnd,
        tagged("A5", .ok, nil, "Fetch completed (0.001 + 0.000 secs)."),
    ]

    @Test("the test body is 44 bytes with CRLFs, a ) and a {5} inside")
    func bodyShape() {
        let body = bytes(Self.messageBody)
        #expect(body.count == 44)
        #expect(Self.messageBody.contains("\r\n") && Self.messageBody.contains(")") && Self.messageBody.contains("{5}"))
    }

    @Test("unsplit: one body piece holding the whole body")
    func unsplit() throws {
        let (events, parser) = try parse(chunks: [bytes(Self.wireText)])
        var expected = Self.expectedOthers
        expected.insert(body(Self.messageBody), at: 6)
        #expect(events == expected)
        #expect(parser.bufferedByteCount == 0)
    }

    @Test("split in two at every byte boundary")
    func everySplit() throws {
        let input = bytes(Self.wireText)
        let (reference, _) = try parse(chunks: [input])
        let referenceOthers = splitBody(reference).others
        #expect(referenceOthers == Self.expectedOthers)
        for split in 1..<input.count {
            let (events, parser) = try parse(chunks: [Array(input[..<split]), Array(input[split...])])
            let (gotBody, others) = splitBody(events)
            #expect(gotBody == bytes(Self.messageBody), "split at \(split)")
            #expect(others == referenceOthers, "split at \(split)")
            #expect(!events.contains(.bodyBytes([])), "empty body piece at split \(split)")
            #expect(parser.bufferedByteCount == 0, "split at \(split)")
        }
    }

    @Test("byte by byte: 44 one-byte pieces, same other events")
    func byteByByte() throws {
        let input = bytes(Self.wireText)
        let (events, _) = try parse(chunks: input.map { [$0] })
        let (gotBody, others) = splitBody(events)
        #expect(gotBody == bytes(Self.messageBody))
        #expect(others == Self.expectedOthers)
        let pieces = events.filter { if case .bodyBytes = $0 { return true } else { return false } }
        #expect(pieces.count == 44)
    }

    @Test("events come out as soon as their bytes are in, before the body has arrived")
    func eager() throws {
        let input = bytes(Self.wireText)
        let tail = Self.messageBody + ")\r\nA5 OK Fetch completed (0.001 + 0.000 secs).\r\n"
        let headerEnd = input.count - bytes(tail).count
        #expect(input[..<headerEnd].suffix(6).elementsEqual(bytes("{44}\r\n")))
        var parser = ResponseParser()
        parser.append(input[..<headerEnd])
        #expect(try drain(&parser) == Array(Self.expectedOthers[0...5]))
        parser.append(input[headerEnd..<(headerEnd + 10)])
        #expect(try drain(&parser) == [.bodyBytes(ArraySlice(bytes(Self.messageBody).prefix(10)))])
        #expect(parser.bufferedByteCount == 0, "body bytes were held back")
        parser.append(input[(headerEnd + 10)...])
        let rest = try drain(&parser)
        #expect(splitBody(rest).body == Array(bytes(Self.messageBody).dropFirst(10)))
        #expect(splitBody(rest).others == Array(Self.expectedOthers[6...]))
    }

    @Test("a body piece never takes bytes past the literal")
    func pieceStopsAtLiteralEnd() throws {
        // Body and the following response in one chunk.
        let (events, _) = try parse(chunks: [bytes("* 1 FETCH (BODY[] {3}\r\nabc)\r\n* 2 EXISTS\r\n")])
        #expect(
            events == [
                .fetchStart(sequenceNumber: 1), .bodyStart(section("BODY"), size: 3), body("abc"), .bodyEnd,
                .fetchEnd, untagged(.exists(2)),
            ])
    }

    @Test("5 MB literal in 64 KiB reads: pieces never exceed a read, buffer stays bounded")
    func largeBodyBoundedMemory() throws {
        let chunkSize = 64 * 1024
        let bodySize = 5 * 1024 * 1024
        var payload = [UInt8](repeating: 0, count: bodySize)
        for index in 0..<bodySize {
            // Includes CR, LF, ')' and '{' so nothing in the body can pass for framing.
            payload[index] = UInt8(truncatingIfNeeded: index &* 7 &+ (index >> 11))
        }
        let input =
            bytes("* 9 FETCH (UID 99 RFC822.SIZE \(bodySize) BODY[] {\(bodySize)}\r\n") + payload
            + bytes(")\r\nA7 OK Fetch completed.\r\n")

        var parser = ResponseParser()
        var received = 0, largestPiece = 0, maxBuffered = 0, pieces = 0
        var bodyMatches = true
        var others: [ResponseEvent] = []
        var offset = 0
        while offset < input.count {
            let end = min(offset + chunkSize, input.count)
            input[offset..<end].withUnsafeBytes { parser.append($0) }
            offset = end
            maxBuffered = max(maxBuffered, parser.bufferedByteCount)
            while let event = try parser.next() {
                if case .bodyBytes(let slice) = event {
                    pieces += 1
                    largestPiece = max(largestPiece, slice.count)
                    if received + slice.count > bodySize
                        || !slice.elementsEqual(payload[received..<(received + slice.count)])
                    {
                        bodyMatches = false
                    }
                    received += slice.count
                } else {
                    others.append(event)
                }
            }
            maxBuffered = max(maxBuffered, parser.bufferedByteCount)
        }
        #expect(received == bodySize)
        #expect(bodyMatches)
        #expect(largestPiece <= chunkSize)
        #expect(pieces >= bodySize / chunkSize)
        #expect(maxBuffered < 2 * chunkSize)
        #expect(parser.bufferedByteCount == 0)
        #expect(
            others == [
                .fetchStart(sequenceNumber: 9), .fetchAttribute(.uid(99)), .fetchAttribute(.rfc822Size(bodySize)),
                .bodyStart(section("BODY"), size: bodySize), .bodyEnd, .fetchEnd,
                tagged("A7", .ok, nil, "Fetch completed."),
            ])
    }

    @Test("a body literal far above literalSizeLimit streams instead of being refused")
    func bodyIgnoresLiteralLimit() throws {
        let text = String(repeating: "m", count: 1000)
        let (events, _) = try parse(
            chunks: [bytes(wire("* 1 FETCH (BODY[] " + literal(text) + ")"))],
            literalSizeLimit: 16, responseSizeLimit: 64)
        #expect(normalized(events) == [.fetchStart(sequenceNumber: 1)] + bodyEvents("BODY", text) + [.fetchEnd])
    }
}
