import MailStore
import Testing

/// mailferry's own Maildir names: format, parse, and telling foreign files apart.
@Suite("MaildirFileName")
struct MaildirFileNameTests {
    struct Example: Sendable, CustomTestStringConvertible {
        let name: MaildirFileName
        let text: String
        var testDescription: String { text }
    }

    static let examples: [Example] = [
        Example(
            name: MaildirFileName(
                internalDateSeconds: 1_700_000_000, uid: 42, uidValidity: 1_234_567_890, size: 3456, info: "FS"),
            text: "1700000000.M42V1234567890.mailferry,S=3456:2,FS"),
        Example(
            name: MaildirFileName(internalDateSeconds: 0, uid: 1, uidValidity: 1, size: 0, info: ""),
            text: "0.M1V1.mailferry,S=0:2,"),
        Example(
            name: MaildirFileName(
                internalDateSeconds: 1_800_000_000, uid: .max, uidValidity: .max, size: 52_428_800, info: "DFRSTabz"),
            text: "1800000000.M4294967295V4294967295.mailferry,S=52428800:2,DFRSTabz"),
        // A message dated before 1970 has a negative INTERNALDATE in seconds.
        Example(
            name: MaildirFileName(internalDateSeconds: -86_400, uid: 7, uidValidity: 3, size: 12, info: "S"),
            text: "-86400.M7V3.mailferry,S=12:2,S"),
    ]

    @Test("formats the documented name", arguments: examples)
    func formats(_ example: Example) {
        #expect(example.name.fileName == example.text)
        #expect(example.name.base + ":2," + example.name.info == example.text)
        #expect(!example.name.base.contains(":"))
    }

    @Test("parses what it formats", arguments: examples)
    func parses(_ example: Example) throws {
        let parsed = try #require(MaildirFileName(parsing: example.text))
        #expect(parsed == example.name)
        #expect(parsed.internalDateSeconds == example.name.internalDateSeconds)
        #expect(parsed.uid == example.name.uid)
        #expect(parsed.uidValidity == example.name.uidValidity)
        #expect(parsed.size == example.name.size)
        #expect(parsed.info == example.name.info)
        #expect(parsed.fileName == example.text)
    }

    @Test(
        "rejects names it did not produce",
        arguments: [
            "1700000000.M1P2.host,S=12,W=13:2,S",  // Dovecot's own delivery name
            "1700000000.M1P2.host,S=12,W=13",  // same, still in new/
            "1700000000.P123R456.mailferry",  // mailferry's own tmp/ name
            "1700000000.M1V2.mailferry,S=12",  // no ":2," info
            "1700000000.M1V2.otherhost,S=12:2,S",  // another host part
            "1700000000.M1V2.mailferry:2,S",  // no size
            "1700000000.M1V2.mailferry,S=:2,S",  // empty size
            "1700000000.M1V2.mailferry,S=12,W=13:2,S",  // extra field after the size
            "x.M1V2.mailferry,S=12:2,S",  // seconds not a number
            "1700000000.MV2.mailferry,S=12:2,S",  // no UID
            "1700000000.M1.mailferry,S=12:2,S",  // no V
            "1700000000.M1V.mailferry,S=12:2,S",  // no UIDVALIDITY
            "1700000000.N1V2.mailferry,S=12:2,S",  // not M
            "1700000000.M4294967296V2.mailferry,S=12:2,S",  // UID beyond 32 bits
            "1700000000.M1V4294967296.mailferry,S=12:2,S",  // UIDVALIDITY beyond 32 bits
            "1700000000.M1V2.mailferry,S=99999999999999999999:2,S",  // size beyond 64 bits
            "99999999999999999999.M1V2.mailferry,S=12:2,S",  // seconds beyond 64 bits
            "-0.M1V2.mailferry,S=12:2,S",  // minus zero
            "--5.M1V2.mailferry,S=12:2,S",  // two signs
            "1700000000.M1V2.mailferry,S=12:2",  // info separator cut short
            "1700000000.M1V2.mailferry,S=12;2,S",  // wrong separator
            "dovecot-keywords",
            "dovecot-uidlist",
            "",
        ])
    func rejectsForeign(_ name: String) {
        #expect(MaildirFileName(parsing: name) == nil)
    }

    /// The reconciler removes and renames files by the name it re-formats from the parsed
    /// value, so a name that parses must format back to itself, or the wrong path is touched.
    @Test(
        "accepts only the canonical spelling of each number",
        arguments: [
            "1700000000.M+1V2.mailferry,S=12:2,S",
            "1700000000.M1V2.mailferry,S=+12:2,S",
            "01700000000.M1V2.mailferry,S=12:2,S",
            "1700000000.M01V2.mailferry,S=12:2,S",
        ])
    func rejectsNonCanonicalNumbers(_ name: String) {
        let parsed = MaildirFileName(parsing: name)
        #expect(parsed == nil || parsed?.fileName == name, "parsed as \(String(describing: parsed?.fileName))")
    }

    @Test("the info may hold anything after the first \":2,\"")
    func infoIsTheRest() throws {
        let parsed = try #require(MaildirFileName(parsing: "5.M6V7.mailferry,S=8:2,S:2,x"))
        #expect(parsed.info == "S:2,x")
        #expect(parsed.uid == 6)
    }

    @Test("withInfo replaces only the flags and keeps the base")
    func withInfo() {
        let original = MaildirFileName(
            internalDateSeconds: 1_700_000_000, uid: 42, uidValidity: 9, size: 100, info: "S")
        let renamed = original.withInfo("FRSa")
        #expect(renamed.info == "FRSa")
        #expect(renamed.base == original.base)
        #expect(renamed.fileName == "1700000000.M42V9.mailferry,S=100:2,FRSa")
        #expect(renamed != original)
        #expect(original.fileName == "1700000000.M42V9.mailferry,S=100:2,S")
        #expect(renamed.withInfo("S") == original)
        #expect(original.withInfo("").fileName == "1700000000.M42V9.mailferry,S=100:2,")
    }
}
