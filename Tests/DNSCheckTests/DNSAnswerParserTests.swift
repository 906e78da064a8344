import Testing

@testable import DNSCheck

@Suite("DNS answers parsed from raw bytes")
struct DNSAnswerParserTests {
    /// A DNS name in wire form, uncompressed.
    static func name(_ text: String) -> [UInt8] {
        text.split(separator: ".").flatMap { [UInt8($0.utf8.count)] + Array($0.utf8) } + [0]
    }

    static func u16(_ value: Int) -> [UInt8] { [UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)] }
    static func u32(_ value: Int) -> [UInt8] { u16(value >> 16) + u16(value & 0xFFFF) }

    /// A response to `question` (at offset 12, so 0xC00C points at it) with `answers`.
    static func message(rcode: Int = 0, question: String, type: Int, answers: [[UInt8]]) -> [UInt8] {
        u16(0x1234) + u16(0x8180 | rcode) + u16(1) + u16(answers.count) + u16(0) + u16(0) + name(question)
            + u16(type) + u16(1) + answers.flatMap { $0 }
    }

    /// A record whose owner is `owner` bytes (a name or a pointer).
    static func record(_ owner: [UInt8], type: Int, ttl: Int, _ data: [UInt8]) -> [UInt8] {
        owner + u16(type) + u16(1) + u32(ttl) + u16(data.count) + data
    }

    static let pointerToQuestion: [UInt8] = [0xC0, 0x0C]

    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var bytes: [UInt8]
        var expected: DNSLookup
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "MX whose exchange is compressed against the question",
            bytes: message(
                question: "example.test", type: 15,
                answers: [
                    record(pointerToQuestion, type: 15, ttl: 7200, u16(10) + [4] + Array("mail".utf8) + [0xC0, 0x0C])
                ]),
            expected: .records([
                DNSRecord(name: "example.test", kind: .mx, ttl: 7200, value: "mail.example.test", preference: 10)
            ])),
        Case(
            name: "two MX, preference order as sent",
            bytes: message(
                question: "example.test", type: 15,
                answers: [
                    record(pointerToQuestion, type: 15, ttl: 300, u16(20) + name("mx2.example.net")),
                    record(pointerToQuestion, type: 15, ttl: 300, u16(5) + name("mx1.example.net")),
                ]),
            expected: .records([
                DNSRecord(name: "example.test", kind: .mx, ttl: 300, value: "mx2.example.net", preference: 20),
                DNSRecord(name: "example.test", kind: .mx, ttl: 300, value: "mx1.example.net", preference: 5),
            ])),
        Case(
            name: "a CNAME and the A record at its end",
            bytes: message(
                question: "imap.example.test", type: 1,
                answers: [
                    record(pointerToQuestion, type: 5, ttl: 3600, name("mda.vshosting.cloud")),
                    record(name("mda.vshosting.cloud"), type: 1, ttl: 60, [10, 0, 0, 10]),
                ]),
            expected: .records([
                DNSRecord(name: "imap.example.test", kind: .cname, ttl: 3600, value: "mda.vshosting.cloud"),
                DNSRecord(name: "mda.vshosting.cloud", kind: .a, ttl: 60, value: "10.0.0.10"),
            ])),
        Case(
            name: "AAAA",
            bytes: message(
                question: "mail.example.test", type: 28,
                answers: [
                    record(
                        pointerToQuestion, type: 28, ttl: 60,
                        [0x20, 0x01, 0x0d, 0xb8] + Array(repeating: 0, count: 11) + [1])
                ]),
            expected: .records([DNSRecord(name: "mail.example.test", kind: .aaaa, ttl: 60, value: "2001:db8::1")])),
        Case(
            name: "NOERROR without records", bytes: message(question: "example.test", type: 15, answers: []),
            expected: .records([])),
        Case(
            name: "NXDOMAIN", bytes: message(rcode: 3, question: "nope.example.test", type: 15, answers: []),
            expected: .nonexistent),
        Case(
            name: "SERVFAIL", bytes: message(rcode: 2, question: "example.test", type: 15, answers: []),
            expected: .failed(rcode: 2)),
        Case(
            name: "REFUSED", bytes: message(rcode: 5, question: "example.test", type: 15, answers: []),
            expected: .failed(rcode: 5)),
    ]

    @Test("each answer", arguments: cases)
    func parse(_ example: Case) throws {
        #expect(try DNSResolver.parseAnswer(example.bytes, server: "test") == example.expected)
    }

    @Test("a truncated message is an error naming the server, never a crash")
    func truncated() {
        let whole = Self.message(
            question: "example.test", type: 15,
            answers: [
                Self.record(Self.pointerToQuestion, type: 15, ttl: 300, Self.u16(10) + Self.name("mx.example.net"))
            ])
        for length in [0, 5, 11, 20, whole.count - 3] {
            #expect(throws: DNSResolverError.self, "cut at \(length)") {
                _ = try DNSResolver.parseAnswer(Array(whole.prefix(length)), server: "127.0.0.1:53")
            }
        }
    }
}
