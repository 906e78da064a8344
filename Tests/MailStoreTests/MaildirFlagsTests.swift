import IMAPCore
import MailStore
import Testing

/// IMAP flags ⇄ Maildir info letters (system flags D F R S T, keywords a–z).
@Suite("MaildirFlags")
struct MaildirFlagsTests {
    /// The folder's `dovecot-keywords` order: index 0 is `a`.
    static let keywords = ["$Forwarded", "Junk", "$label1"]
    static func index(_ name: String) -> Int? { keywords.firstIndex(of: name) }
    static func name(_ index: Int) -> String? { keywords.indices.contains(index) ? keywords[index] : nil }

    struct Example: Sendable, CustomTestStringConvertible {
        let flags: [Flag]
        let letters: String
        var testDescription: String { "\(flags.map(\.name)) → \"\(letters)\"" }
    }

    static let examples: [Example] = [
        Example(flags: [], letters: ""),
        Example(flags: [.seen], letters: "S"),
        Example(flags: [.deleted, .seen, .answered, .flagged, .draft], letters: "DFRST"),
        Example(flags: [.recent, .seen], letters: "S"),  // \Recent is never stored
        Example(flags: [.recent], letters: ""),
        Example(flags: [.anyKeyword, .flagged], letters: "F"),  // \* is not a message flag
        Example(flags: [Flag("\\SEEN"), Flag("\\answered")], letters: "RS"),  // system flags are case-insensitive
        Example(flags: [.seen, .seen], letters: "S"),  // duplicates collapse
        Example(flags: ["$label1", .seen, "$Forwarded"], letters: "Sac"),  // sorted: capitals first
        Example(flags: ["Junk"], letters: "b"),
        Example(flags: ["NotInTheFile", .seen], letters: "S"),  // unknown keyword dropped
        Example(flags: ["\\Custom", .seen], letters: "S"),  // unknown system flag dropped
    ]

    @Test("flags to info letters", arguments: examples)
    func letters(_ example: Example) {
        #expect(MaildirFlags.infoLetters(for: example.flags, keywordIndex: Self.index) == example.letters)
    }

    @Test("info letters back to flags", arguments: examples)
    func backToFlags(_ example: Example) {
        let flags = MaildirFlags.flags(fromInfo: Substring(example.letters), keywordName: Self.name)
        let expected = Set(
            example.flags.filter { flag in
                flag != .recent && flag != .anyKeyword && flag.name != "\\Custom" && flag.name != "NotInTheFile"
            })
        #expect(Set(flags) == expected)
        #expect(flags.count == expected.count)
    }

    @Test("keywords past the 26th letter are dropped")
    func onlyTwentySixKeywords() {
        let many = (0..<30).map { "kw\($0)" }
        let index: (String) -> Int? = { many.firstIndex(of: $0) }
        #expect(MaildirFlags.infoLetters(for: [Flag("kw0")], keywordIndex: index) == "a")
        #expect(MaildirFlags.infoLetters(for: [Flag("kw25")], keywordIndex: index) == "z")
        #expect(MaildirFlags.infoLetters(for: [Flag("kw26")], keywordIndex: index) == "")
        #expect(MaildirFlags.infoLetters(for: [Flag("kw29"), .seen, Flag("kw1")], keywordIndex: index) == "Sb")
    }

    @Test("letters that are not flags, or keywords the folder does not know, are ignored")
    func ignoresUnknownLetters() {
        // P (passed) is a Maildir flag IMAP has no name for; d has no keyword; digits and
        // punctuation are not flags at all.
        let flags = MaildirFlags.flags(fromInfo: "PSd1,a", keywordName: Self.name)
        #expect(flags == [.seen, Flag("$Forwarded")])
    }

    @Test("letters come back in info order, keywords resolved through the file")
    func order() {
        let flags = MaildirFlags.flags(fromInfo: "DFRSTabc", keywordName: Self.name)
        #expect(
            flags == [.draft, .flagged, .answered, .seen, .deleted, Flag("$Forwarded"), Flag("Junk"), Flag("$label1")])
    }
}
