import MailStore
import Testing

/// The Message-ID found while a message streams past, whatever the chunking.
@Suite("MessageIDScanner")
struct MessageIDScannerTests {
    struct Example: Sendable, CustomTestStringConvertible {
        let note: String
        let message: String
        let expected: String?
        var testDescription: String { note }
    }

    static let examples: [Example] = [
        Example(
            note: "plain CRLF header",
            message: "From: a@example.com\r\nMessage-ID: <abc@example.com>\r\nSubject: x\r\n\r\nbody\r\n",
            expected: "<abc@example.com>"),
        Example(note: "lowercase name", message: "message-id: <low@x>\r\n\r\nbody", expected: "<low@x>"),
        Example(note: "mixed case name", message: "Subject: s\r\nMESSAGE-Id:<mixed@x>\r\n\r\n", expected: "<mixed@x>"),
        Example(
            note: "value folded onto the next line", message: "Message-ID:\r\n <fold@x>\r\nTo: b\r\n\r\n",
            expected: "<fold@x>"),
        Example(
            note: "value folded in the middle, tab continuation",
            message: "Message-ID: <part1\r\n\t.part2@x>\r\nTo: b\r\n\r\n", expected: "<part1.part2@x>"),
        Example(
            note: "folding ends at the next field", message: "Message-ID: <a@x>\r\nX-Other: <b@x>\r\n\r\n",
            expected: "<a@x>"),
        Example(note: "absent", message: "From: a\r\nSubject: nothing\r\n\r\nbody", expected: nil),
        Example(note: "empty value", message: "Message-ID:   \r\nSubject: s\r\n\r\n", expected: nil),
        Example(note: "bare LF line ends", message: "From: a\nMessage-ID: <lf@x>\n\nbody\n", expected: "<lf@x>"),
        Example(note: "trailing blanks trimmed", message: "Message-ID: \t<ws@x> \t\r\n\r\n", expected: "<ws@x>"),
        Example(
            note: "only the first of two counts", message: "Message-ID: <one@x>\r\nMessage-ID: <two@x>\r\n\r\n",
            expected: "<one@x>"),
        Example(
            note: "a longer field name is not Message-ID",
            message: "X-Original-Message-ID: <orig@x>\r\nMessage-ID: <real@x>\r\n\r\n", expected: "<real@x>"),
        Example(note: "resent header alone", message: "Resent-Message-ID: <resent@x>\r\n\r\n", expected: nil),
        Example(
            note: "a Message-ID line in the body does not count",
            message: "From: a\r\nSubject: fwd\r\n\r\nMessage-ID: <body@x>\r\n\r\nmore\r\n", expected: nil),
        Example(
            note: "a Message-ID line in the body does not count, bare LF",
            message: "From: a\nSubject: fwd\n\nMessage-ID: <body@x>\n", expected: nil),
        Example(
            note: "header with no body and no blank line", message: "Message-ID: <nobody@x>\r\n", expected: "<nobody@x>"
        ),
        Example(
            note: "header cut before its line end", message: "Subject: s\r\nMessage-ID: <cut@x>", expected: "<cut@x>"),
        Example(note: "empty message", message: "", expected: nil),
    ]

    static func scan(_ message: [UInt8], chunk: Int) -> String? {
        var scanner = MessageIDScanner()
        feed(message, chunk: chunk) { scanner.consume($0) }
        return scanner.messageID
    }

    @Test("finds the header's Message-ID", arguments: examples, [1, 2, 7, 64, Int.max])
    func finds(_ example: Example, chunk: Int) {
        #expect(Self.scan(Array(example.message.utf8), chunk: chunk) == example.expected)
    }

    /// RFC 5322: the header ends at the first empty line; a message that starts with one has no
    /// header, so nothing after it is a header field.
    @Test(
        "a message whose header is empty has no Message-ID",
        arguments: [
            "\r\nMessage-ID: <body@x>\r\n\r\ntext\r\n",
            "\nMessage-ID: <body@x>\n\ntext\n",
        ])
    func emptyHeader(_ message: String) {
        #expect(Self.scan(Array(message.utf8), chunk: .max) == nil)
    }

    /// Whole header lines: at least `count` bytes, or at most `count` when `atMost`.
    static func padding(_ count: Int, atMost: Bool = false) -> [UInt8] {
        var bytes: [UInt8] = []
        var line = 0
        while bytes.count < count {
            let next = Array("X-Padding-\(line): \(String(repeating: "p", count: 60))\r\n".utf8)
            if atMost && bytes.count + next.count > count { break }
            bytes += next
            line += 1
        }
        return bytes
    }

    @Test("a Message-ID early in a huge header is found", arguments: [1000, 4096, 65536])
    func earlyInHugeHeader(chunk: Int) {
        let message = Array("Message-ID: <early@x>\r\n".utf8) + Self.padding(200 * 1024) + Array("\r\nbody".utf8)
        #expect(Self.scan(message, chunk: chunk) == "<early@x>")
    }

    @Test("only the first 64 KiB are looked at", arguments: [1000, 4096, 65536])
    func cap(chunk: Int) {
        let late = Self.padding(64 * 1024) + Array("Message-ID: <late@x>\r\n\r\nbody".utf8)
        #expect(late.count > 64 * 1024)
        #expect(Self.scan(late, chunk: chunk) == nil)

        // The same field ending just inside the limit is still found.
        let field = Array("Message-ID: <inside@x>\r\n".utf8)
        let inside = Self.padding(64 * 1024 - field.count - 10, atMost: true) + field + Self.padding(10_000)
        #expect(inside.count > 64 * 1024 && inside.firstRange(of: field)!.upperBound <= 64 * 1024)
        #expect(Self.scan(inside, chunk: chunk) == "<inside@x>")
    }

    @Test("bytes after the header do not change the result")
    func stopsAtHeader() {
        var scanner = MessageIDScanner()
        feed(Array("Message-ID: <first@x>\r\n\r\n".utf8), chunk: .max) { scanner.consume($0) }
        feed(Array("Message-ID: <second@x>\r\n".utf8) + Self.padding(100_000), chunk: 512) { scanner.consume($0) }
        #expect(scanner.messageID == "<first@x>")
    }
}
