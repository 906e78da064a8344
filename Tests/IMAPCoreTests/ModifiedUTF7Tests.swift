import IMAPCore
import Testing

/// RFC 3501 §5.1.3 mailbox-name encoding.
@Suite("ModifiedUTF7")
struct ModifiedUTF7Tests {
    struct RoundTrip: Sendable, CustomTestStringConvertible {
        let unicode: String
        let wire: String
        var testDescription: String { "\(unicode) ⇄ \(wire)" }
    }

    static let roundTrips: [RoundTrip] = [
        RoundTrip(unicode: "INBOX", wire: "INBOX"),
        RoundTrip(unicode: "", wire: ""),
        RoundTrip(unicode: "Přijatá pošta", wire: "P&AVk-ijat&AOE- po&AWE-ta"),
        RoundTrip(unicode: "Odeslaná pošta", wire: "Odeslan&AOE- po&AWE-ta"),
        RoundTrip(unicode: "Koš", wire: "Ko&AWE-"),
        RoundTrip(unicode: "Pracovní/Účty", wire: "Pracovn&AO0-/&ANoBDQ-ty"),
        RoundTrip(unicode: "Входящие", wire: "&BBIERQQ+BDQETwRJBDgENQ-"),
        RoundTrip(unicode: "受信トレイ", wire: "&U9dP4TDIMOwwpA-"),
        RoundTrip(unicode: "~peter/mail/台北/日本語", wire: "~peter/mail/&U,BTFw-/&ZeVnLIqe-"),
        RoundTrip(unicode: "📧 Mail", wire: "&2D3c5w- Mail"),
        RoundTrip(unicode: "😀🎉", wire: "&2D3eANg834k-"),
        RoundTrip(unicode: "☺", wire: "&Jjo-"),
        RoundTrip(unicode: "&", wire: "&-"),
        RoundTrip(unicode: "A&B", wire: "A&-B"),
        RoundTrip(unicode: "Ü&ö", wire: "&ANw-&-&APY-"),
        RoundTrip(unicode: "☺&☺", wire: "&Jjo-&-&Jjo-"),
        RoundTrip(unicode: "a\tb", wire: "a&AAk-b"),
        RoundTrip(unicode: "Sdílené/", wire: "Sd&AO0-len&AOk-/"),
    ]

    @Test("encodes to the known wire form", arguments: roundTrips)
    func encode(_ example: RoundTrip) {
        #expect(ModifiedUTF7.encode(example.unicode) == example.wire)
    }

    @Test("decodes the known wire form", arguments: roundTrips)
    func decode(_ example: RoundTrip) throws {
        #expect(try ModifiedUTF7.decode(Array(example.wire.utf8)) == example.unicode)
    }

    @Test("encoded names are 7-bit printable ASCII", arguments: roundTrips)
    func encodedIsASCII(_ example: RoundTrip) {
        #expect(ModifiedUTF7.encode(example.unicode).utf8.allSatisfy { $0 >= 0x20 && $0 <= 0x7E })
    }

    @Test("decode(encode(x)) == x for awkward names")
    func roundTripMixed() throws {
        let names = [
            "&&&", "a&", "&a", "--&--", "Mixed Ø and 🇨🇿 flags & more", String(repeating: "ž", count: 100),
            "tab\there", "\u{7F}del", "中文/日本語/한국어", "x-&-y",
        ]
        for name in names {
            let wire = ModifiedUTF7.encode(name)
            #expect(try ModifiedUTF7.decode(Array(wire.utf8)) == name, "\(name) → \(wire)")
        }
    }

    struct Invalid: Sendable, CustomTestStringConvertible {
        let wire: [UInt8]
        let error: ModifiedUTF7.DecodingError
        let why: String
        var testDescription: String { why }
    }

    static let invalid: [Invalid] = [
        Invalid(wire: Array("&Jjo!".utf8), error: .unterminatedShift(offset: 0), why: "& never closed (ends in !)"),
        Invalid(wire: Array("&Jjo".utf8), error: .unterminatedShift(offset: 0), why: "unterminated shift"),
        Invalid(
            wire: Array("abc&Jjo".utf8), error: .unterminatedShift(offset: 3), why: "unterminated shift after text"),
        Invalid(wire: Array("&Jj!o-".utf8), error: .invalidBase64(offset: 0), why: "! inside a shift"),
        Invalid(wire: Array("&Jj/o-".utf8), error: .invalidBase64(offset: 0), why: "standard base64 / instead of ,"),
        Invalid(wire: Array("&AGE-".utf8), error: .nonCanonical(offset: 0), why: "shift encoding ASCII 'a'"),
        Invalid(wire: Array("&Jjo-&Jjo-".utf8), error: .nonCanonical(offset: 5), why: "adjacent shifts must be merged"),
        Invalid(wire: Array("&Jjp-".utf8), error: .nonCanonical(offset: 0), why: "stray non-zero bits"),
        Invalid(
            wire: Array("&AAAA-".utf8), error: .nonCanonical(offset: 0), why: "a whole extra base64 char of padding"),
        Invalid(wire: Array("&2D0-".utf8), error: .invalidUTF16(offset: 0), why: "lone high surrogate"),
        Invalid(wire: Array("Pošta".utf8), error: .nonASCIIByte(offset: 2), why: "raw UTF-8"),
        Invalid(wire: [0x41, 0xFF], error: .nonASCIIByte(offset: 1), why: "raw 8-bit byte"),
    ]

    @Test("rejects invalid encodings", arguments: invalid)
    func rejects(_ example: Invalid) {
        #expect(throws: example.error) { try ModifiedUTF7.decode(example.wire) }
    }

    @Test("errors describe themselves")
    func errorDescriptions() {
        #expect(ModifiedUTF7.DecodingError.unterminatedShift(offset: 3).description.contains("3"))
        #expect(ModifiedUTF7.DecodingError.nonASCIIByte(offset: 7).description.contains("7"))
    }

    @Test("MailboxName keeps wire bytes and decodes them")
    func mailboxName() {
        let czech = MailboxName("Přijatá pošta")
        #expect(czech.wireBytes == Array("P&AVk-ijat&AOE- po&AWE-ta".utf8))
        #expect(czech.decoded == "Přijatá pošta")
        #expect(czech == MailboxName(wire: Array("P&AVk-ijat&AOE- po&AWE-ta".utf8)))
        let broken = MailboxName(wire: Array("&Jjo-&Jjo-".utf8))
        #expect(broken.decoded == nil)
        #expect(broken.description == "&Jjo-&Jjo-")
    }

    @Test("INBOX is case-insensitive, other names are not")
    func inbox() {
        #expect(MailboxName(wire: Array("inbox".utf8)).isInbox)
        #expect(MailboxName(wire: Array("InBoX".utf8)).isInbox)
        #expect(MailboxName.inbox.isInbox)
        #expect(!MailboxName(wire: Array("INBOX.Sent".utf8)).isInbox)
        #expect(!MailboxName(wire: Array("INBOXX".utf8)).isInbox)
        #expect(MailboxName(wire: Array("Sent".utf8)) != MailboxName(wire: Array("sent".utf8)))
    }
}
