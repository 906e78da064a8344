import IMAPCore
import Migration
import Testing

@Suite("folder mapping")
struct FolderMappingTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var separator: Character?
        var specialUse: String?
        var expected: FolderMapping.Decision
        var testDescription: String { "\(name) → \(expected)" }
    }

    static let mapping = FolderMapping(
        rules: [.init(source: "Old Stuff", target: "Archive/Old")],
        exclude: ["^Spam$", "^Lists\\."],
        targetRoles: [
            "\\Sent": "Sent Items", "\\Trash": "Deleted Items", "\\Drafts": "Drafts", "\\Junk": "Junk E-mail",
        ],
        targetSeparator: "/")

    static let cases: [Case] = [
        Case(name: "INBOX", separator: ".", specialUse: nil, expected: .target(name: "INBOX", reason: "INBOX")),
        Case(name: "inbox", separator: ".", specialUse: nil, expected: .target(name: "INBOX", reason: "INBOX")),
        Case(
            name: "Sent", separator: ".", specialUse: "\\Sent",
            expected: .target(name: "Sent Items", reason: "special-use \\Sent")),
        Case(
            name: "Odeslaná pošta", separator: ".", specialUse: nil,
            expected: .target(name: "Sent Items", reason: "special-use \\Sent")),
        Case(
            name: "Koš", separator: "/", specialUse: nil,
            expected: .target(name: "Deleted Items", reason: "special-use \\Trash")),
        Case(
            name: "Koncepty", separator: "/", specialUse: nil,
            expected: .target(name: "Drafts", reason: "special-use \\Drafts")),
        Case(
            name: "Nevyžádaná pošta", separator: ".", specialUse: nil,
            expected: .target(name: "Junk E-mail", reason: "special-use \\Junk")),
        Case(
            name: "Gesendete Elemente", separator: ".", specialUse: nil,
            expected: .target(name: "Sent Items", reason: "special-use \\Sent")),
        Case(
            name: "Whatever", separator: ".", specialUse: "\\Sent",
            expected: .target(name: "Sent Items", reason: "special-use \\Sent")),
        Case(
            name: "Archive", separator: ".", specialUse: "\\Archive",
            expected: .target(name: "Archive", reason: "same path")),
        Case(
            name: "Projects.2026.Q4", separator: ".", specialUse: nil,
            expected: .target(name: "Projects/2026/Q4", reason: "same path")),
        Case(
            name: "INBOX.Receipts", separator: ".", specialUse: nil,
            expected: .target(name: "INBOX/Receipts", reason: "same path")),
        Case(
            name: "Sent.2025", separator: ".", specialUse: nil,
            expected: .target(name: "Sent/2025", reason: "same path")),
        Case(name: "a/b", separator: ".", specialUse: nil, expected: .target(name: "a_b", reason: "same path")),
        Case(
            name: "Old Stuff", separator: ".", specialUse: nil, expected: .target(name: "Archive/Old", reason: "--map")),
        Case(name: "Spam", separator: ".", specialUse: "\\Junk", expected: .excluded(pattern: "^Spam$")),
        Case(name: "Lists.swift", separator: ".", specialUse: nil, expected: .excluded(pattern: "^Lists\\.")),
    ]

    @Test("decides each source folder's target", arguments: cases)
    func decide(_ example: Case) {
        #expect(
            Self.mapping.decide(name: example.name, separator: example.separator, specialUse: example.specialUse)
                == example.expected)
    }

    /// A Courier-style source (`INBOX.` prefix, separator ".") onto a prefix-less target, and a
    /// prefix-less source onto a target whose personal namespace is `INBOX.`.
    static let courierToPlain = FolderMapping(
        exclude: ["^Spam$"], targetRoles: ["\\Sent": "Sent Items", "\\Trash": "Deleted Items", "\\Drafts": "Drafts"],
        targetSeparator: "/", sourcePrefix: "INBOX.")
    static let plainToCourier = FolderMapping(
        targetRoles: ["\\Sent": "INBOX.Sent", "\\Trash": "INBOX.Trash"], targetSeparator: ".", targetPrefix: "INBOX.")

    static let prefixCases: [(FolderMapping, Case)] = [
        (
            courierToPlain,
            Case(name: "INBOX", separator: ".", specialUse: nil, expected: .target(name: "INBOX", reason: "INBOX"))
        ),
        (
            courierToPlain,
            Case(
                name: "INBOX.Sent", separator: ".", specialUse: nil,
                expected: .target(name: "Sent Items", reason: "special-use \\Sent"))
        ),
        (
            courierToPlain,
            Case(
                name: "inbox.Trash", separator: ".", specialUse: nil,
                expected: .target(name: "Deleted Items", reason: "special-use \\Trash"))
        ),
        (
            courierToPlain,
            Case(
                name: "INBOX.Sent Items", separator: ".", specialUse: "\\Sent",
                expected: .target(name: "Sent Items", reason: "special-use \\Sent"))
        ),
        (
            courierToPlain,
            Case(
                name: "INBOX.Projects.2024", separator: ".", specialUse: nil,
                expected: .target(name: "Projects/2024", reason: "same path below the namespace prefix \"INBOX.\""))
        ),
        (
            courierToPlain,
            Case(name: "INBOX.Spam", separator: ".", specialUse: nil, expected: .excluded(pattern: "^Spam$"))
        ),
        (
            plainToCourier,
            Case(name: "INBOX", separator: "/", specialUse: nil, expected: .target(name: "INBOX", reason: "INBOX"))
        ),
        (
            plainToCourier,
            Case(
                name: "Sent", separator: "/", specialUse: "\\Sent",
                expected: .target(name: "INBOX.Sent", reason: "special-use \\Sent"))
        ),
        (
            plainToCourier,
            Case(
                name: "Projects/2024", separator: "/", specialUse: nil,
                expected: .target(name: "INBOX.Projects.2024", reason: "same path"))
        ),
        (
            plainToCourier,
            Case(
                name: "INBOX/Receipts", separator: "/", specialUse: nil,
                expected: .target(name: "INBOX.Receipts", reason: "same path"))
        ),
    ]

    @Test("names are mapped relative to each side's personal namespace prefix", arguments: prefixCases.indices)
    func decideWithPrefixes(_ index: Int) {
        let (mapping, example) = Self.prefixCases[index]
        #expect(
            mapping.decide(name: example.name, separator: example.separator, specialUse: example.specialUse)
                == example.expected,
            "\(example.testDescription)")
    }

    @Test("well-known target names are recognised below the target's prefix")
    func rolesBelowPrefix() {
        let listings = [
            MailboxListing(attributes: [], separator: ".", name: MailboxName("INBOX.Drafts")),
            MailboxListing(attributes: [], separator: ".", name: MailboxName("INBOX.Koš")),
        ]
        let roles = FolderMapping.roles(from: listings, prefix: "INBOX.")
        #expect(roles["\\Drafts"] == "INBOX.Drafts")
        #expect(roles["\\Trash"] == "INBOX.Koš")
    }

    @Test("target roles come from attributes first, well-known names second")
    func roles() {
        let listings = [
            MailboxListing(attributes: ["\\HasNoChildren"], separator: "/", name: MailboxName("Sent")),
            MailboxListing(attributes: ["\\Sent"], separator: "/", name: MailboxName("Sent Items")),
            MailboxListing(attributes: [], separator: "/", name: MailboxName("Koš")),
        ]
        let roles = FolderMapping.roles(from: listings)
        #expect(roles["\\Sent"] == "Sent Items")
        #expect(roles["\\Trash"] == "Koš")
        #expect(roles["\\Drafts"] == nil)
    }

    @Test(
        "--map parses OLD=NEW and rejects malformed rules",
        arguments: [("a=b", true), ("Old Name=New/Name", true), ("=b", false), ("a=", false), ("ab", false)])
    func rules(text: String, valid: Bool) {
        #expect((FolderMapping.Rule(parsing: text) != nil) == valid)
    }
}
