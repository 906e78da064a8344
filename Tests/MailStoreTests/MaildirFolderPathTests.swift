import IMAPCore
import MailStore
import Testing

/// Where a source folder lives under the job's Maildir (Dovecot `LAYOUT=fs`, modified UTF-7).
@Suite("MaildirFolderPath")
struct MaildirFolderPathTests {
    struct Example: Sendable, CustomTestStringConvertible {
        let wire: [UInt8]
        let separator: Character?
        let path: String
        let note: String

        init(_ wire: String, _ separator: Character?, _ path: String, _ note: String) {
            self.wire = Array(wire.utf8); self.separator = separator; self.path = path; self.note = note
        }

        var testDescription: String { "\(note): \(String(decoding: wire, as: UTF8.self)) → \"\(path)\"" }
    }

    static let examples: [Example] = [
        Example("INBOX", ".", "", "INBOX is the root"),
        Example("inbox", "/", "", "INBOX in any case"),
        Example("Archive", "/", "Archive", "top level"),
        Example("Projects.2026", ".", "Projects/2026", "nested, separator ."),
        Example("Projects/2026", "/", "Projects/2026", "nested, separator /"),
        Example("a.b.c.d", ".", "a/b/c/d", "four levels"),
        Example("INBOX.Sent", ".", "INBOX/Sent", "a child of INBOX is a directory named INBOX"),
        Example("Projects.2026", nil, "Projects.2026", "flat namespace: one level"),
        Example("Projects/2026", ".", "Projects&AC8-2026", "a level containing / under separator ."),
        Example("Odeslan&AOE- po&AWE-ta", ".", "Odeslan&AOE- po&AWE-ta", "Czech, modified UTF-7 on the wire"),
        Example("Ko&AWE-", "/", "Ko&AWE-", "Czech Koš"),
        Example(
            "&BB4EQgQ,BEAEMAQyBDsENQQ9BD0ESwQ1-", "/", "&BB4EQgQ,BEAEMAQyBDsENQQ9BD0ESwQ1-", "Cyrillic Отправленные"),
        Example("&BBAEQARFBDgEMg-.2026.Ko&AWE-", ".", "&BBAEQARFBDgEMg-/2026/Ko&AWE-", "Cyrillic and Czech levels"),
        Example("Koš", "/", "Ko&AWE-", "UTF-8 on the wire (UTF8=ACCEPT) is still stored as modified UTF-7"),
        Example("Tom &- Jerry", "/", "Tom &- Jerry", "& is &- on disk as on the wire"),
        Example("cur", "/", "&AGM-ur", "cur would be INBOX's own cur/"),
        Example("new", "/", "&AG4-ew", "new"),
        Example("tmp", "/", "&AHQ-mp", "tmp"),
        Example("Work.cur", ".", "Work/&AGM-ur", "cur below a folder would be that folder's cur/"),
        Example("Work.current", ".", "Work/current", "only the exact names are escaped"),
        Example(".hidden", "/", "&AC4-hidden", "a leading dot"),
        Example("a/.b", "/", "a/&AC4-b", "a leading dot in a nested level"),
        Example("../../etc", "/", "&AC4-./&AC4-./etc", "no level can climb out of the Maildir"),
        Example("a..b", ".", "a/&AAA-/b", "an empty level"),
    ]

    @Test("maps a folder to its directory", arguments: examples)
    func maps(_ example: Example) {
        let name = MailboxName(wire: example.wire)
        #expect(MaildirFolderPath.relativePath(for: name, separator: example.separator) == example.path)
    }

    @Test("every level is a plain, safe directory name", arguments: examples)
    func levelsAreSafe(_ example: Example) {
        let path = MaildirFolderPath.relativePath(for: MailboxName(wire: example.wire), separator: example.separator)
        guard !path.isEmpty else { return }
        for level in path.split(separator: "/", omittingEmptySubsequences: false) {
            #expect(!level.isEmpty)
            #expect(!level.hasPrefix("."))
            #expect(!["cur", "new", "tmp"].contains(level))
            #expect(
                level.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value <= 0x7E },
                "not printable ASCII: \(level)")
        }
    }

    @Test("a name given in Unicode and its wire form land in the same place")
    func unicodeAndWireAgree() {
        let fromUnicode = MaildirFolderPath.relativePath(for: MailboxName("Odeslaná pošta"), separator: ".")
        let fromWire = MaildirFolderPath.relativePath(
            for: MailboxName(wire: Array("Odeslan&AOE- po&AWE-ta".utf8)), separator: ".")
        #expect(fromUnicode == fromWire)
        #expect(fromUnicode == "Odeslan&AOE- po&AWE-ta")
    }

    /// Two folders sharing a directory share `cur/`: the reconciler of one then deletes the
    /// other's files as "never recorded", and both are fetched again on every run.
    @Test(
        "distinct folders never share a directory",
        arguments: [
            ("cur", "&AGM-ur", "/"),
            ("a..b", "a.&-empty.b", "."),  // an empty level and a level named "&empty"
            ("&Jjo", "&-Jjo", "/"),  // a name that is not valid modified UTF-7, and "&Jjo"
        ] as [(String, String, Character)])
    func noCollisions(_ first: String, _ second: String, _ separator: Character) {
        let one = MaildirFolderPath.relativePath(for: MailboxName(wire: Array(first.utf8)), separator: separator)
        let two = MaildirFolderPath.relativePath(for: MailboxName(wire: Array(second.utf8)), separator: separator)
        #expect(one != two, "\(first) and \(second) both map to \(one)")
    }
}
