import IMAPCore
import Testing

/// "Need more bytes": a prefix of valid input never throws and never yields an event the whole
/// input would not, and the rest of the input then completes the run exactly.
@Suite("ResponseParser with incomplete input")
struct IncompleteInputTests {
    @Test("every strict prefix yields only events of the full run", arguments: ResponseParserFixtures.all)
    func strictPrefixes(_ fixture: ParseFixture) {
        let input = fixture.bytes
        var failures: [String] = []
        for length in 0..<input.count {
            var parser = ResponseParser()
            parser.append(input[..<length])
            do {
                let events = normalized(try drain(&parser))
                if !isCompatiblePrefix(events, of: fixture.expected) {
                    failures.append("prefix of \(length) bytes gave \(events)")
                }
                // Asking again without new bytes must still say "need more" and change nothing.
                let before = parser.bufferedByteCount
                if try parser.next() != nil || parser.bufferedByteCount != before {
                    failures.append("prefix of \(length) bytes: a second next() changed something")
                }
            } catch {
                failures.append("prefix of \(length) bytes threw \(error)")
            }
        }
        #expect(failures.isEmpty, "\(failures.count) bad prefixes, first: \(failures.first ?? "")")
    }

    @Test("split in two at every byte boundary gives the same events", arguments: ResponseParserFixtures.all)
    func everyTwoChunkSplit(_ fixture: ParseFixture) {
        let input = fixture.bytes
        var failures: [String] = []
        for split in 1..<input.count {
            do {
                let (events, parser) = try parse(chunks: [Array(input[..<split]), Array(input[split...])])
                if normalized(events) != fixture.expected || parser.bufferedByteCount != 0 {
                    failures.append(
                        "split at \(split) gave \(normalized(events)), \(parser.bufferedByteCount) bytes left")
                }
            } catch {
                failures.append("split at \(split) threw \(error)")
            }
        }
        #expect(failures.isEmpty, "\(failures.count) bad splits, first: \(failures.first ?? "")")
    }

    @Test("a FETCH cut inside its header waits, then streams")
    func fetchHeaderCut() throws {
        var parser = ResponseParser()
        parser.append(bytes("* 1 FETCH (UID 7 BODY[] {1"))
        #expect(try drain(&parser) == [.fetchStart(sequenceNumber: 1), .fetchAttribute(.uid(7))])
        #expect(parser.isInsideFetch)
        parser.append(bytes("0}\r\n01234"))
        #expect(try drain(&parser) == [.bodyStart(section("BODY"), size: 10), body("01234")])
        parser.append(bytes("56789)"))
        #expect(try drain(&parser) == [body("56789"), .bodyEnd])
        parser.append(bytes("\r\n"))
        #expect(try drain(&parser) == [.fetchEnd])
        #expect(!parser.isInsideFetch)
    }

    @Test("a non-FETCH response with a literal waits for the literal and the line after it")
    func literalResponseWaits() throws {
        var parser = ResponseParser()
        parser.append(bytes(#"* LIST () "/" {12}"# + "\r\nProjekt"))
        #expect(try parser.next() == nil)
        parser.append(bytes(" (Q4)"))
        #expect(try parser.next() == nil)
        parser.append(bytes("\r"))
        #expect(try parser.next() == nil)
        parser.append(bytes("\n"))
        #expect(try parser.next() == untagged(.list(listing([], "/", "Projekt (Q4)"))))
        #expect(parser.bufferedByteCount == 0)
    }

    @Test("an empty parser needs bytes")
    func empty() throws {
        var parser = ResponseParser()
        #expect(try parser.next() == nil)
        parser.append([UInt8]())
        #expect(try parser.next() == nil)
        #expect(parser.bufferedByteCount == 0)
    }
}
