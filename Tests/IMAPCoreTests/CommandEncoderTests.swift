import IMAPCore
import Testing

/// The wire text of an encoded command; `<+>` marks a wait for the server's continuation and
/// `<body i:n>` the place of an APPEND message body.
func render(_ command: EncodedCommand) -> String {
    command.parts.map { part -> String in
        switch part {
        case .bytes(let bytes, _): return String(decoding: bytes, as: UTF8.self)
        case .awaitContinuation: return "<+>"
        case .messageBody(let index, let size): return "<body \(index):\(size)>"
        }
    }.joined()
}

/// What a trace may show: every non-sensitive byte.
func nonSensitiveText(_ command: EncodedCommand) -> String {
    command.parts.map { part -> String in
        if case .bytes(let bytes, false) = part { return String(decoding: bytes, as: UTF8.self) }
        return ""
    }.joined()
}

func sensitiveText(_ command: EncodedCommand) -> String {
    command.parts.map { part -> String in
        if case .bytes(let bytes, true) = part { return String(decoding: bytes, as: UTF8.self) }
        return ""
    }.joined()
}

@Suite("CommandEncoder")
struct CommandEncoderTests {
    static let synchronizing = CommandEncoder()
    static let literalPlus = CommandEncoder(literalSupport: .any)
    static let literalMinus = CommandEncoder(literalSupport: .upTo4096)

    // MARK: LOGIN

    struct LoginCase: Sendable, CustomTestStringConvertible {
        let password: String
        let encoder: CommandEncoder
        let expected: String
        let why: String
        var testDescription: String { why }
    }

    static let loginCases: [LoginCase] = [
        LoginCase(
            password: "Secr3t!pw", encoder: synchronizing, expected: "A1 LOGIN alice Secr3t!pw\r\n",
            why: "atom password"),
        LoginCase(
            password: #"p"a\ss word"#, encoder: synchronizing, expected: #"A1 LOGIN alice "p\"a\\ss word""# + "\r\n",
            why: #"password with ", \ and space is quoted with escapes"#),
        LoginCase(
            password: "{pass}", encoder: synchronizing, expected: #"A1 LOGIN alice "{pass}""# + "\r\n",
            why: "password with { is quoted, not a literal"),
        LoginCase(
            password: "pa%ss*(x)", encoder: synchronizing, expected: #"A1 LOGIN alice "pa%ss*(x)""# + "\r\n",
            why: "atom-specials are quoted"),
        LoginCase(
            password: "", encoder: synchronizing, expected: #"A1 LOGIN alice """# + "\r\n", why: "empty password"),
        LoginCase(
            password: "heslo-ž", encoder: synchronizing, expected: "A1 LOGIN alice {8}\r\n<+>heslo-ž\r\n",
            why: "non-ASCII password: synchronizing literal"),
        LoginCase(
            password: "heslo-ž", encoder: literalPlus, expected: "A1 LOGIN alice {8+}\r\nheslo-ž\r\n",
            why: "non-ASCII password with LITERAL+: no wait"),
        LoginCase(
            password: "heslo-ž", encoder: literalMinus, expected: "A1 LOGIN alice {8+}\r\nheslo-ž\r\n",
            why: "non-ASCII password with LITERAL-: small, no wait"),
        LoginCase(
            password: "line\r\nbreak", encoder: synchronizing, expected: "A1 LOGIN alice {11}\r\n<+>line\r\nbreak\r\n",
            why: "password with CRLF: literal"),
    ]

    @Test("LOGIN", arguments: loginCases)
    func login(_ example: LoginCase) {
        let command = example.encoder.encode(.login(user: "alice", password: example.password), tag: "A1")
        #expect(render(command) == example.expected)
        #expect(command.tag == "A1")
        #expect(command.name == "LOGIN")
        #expect(command.needsContinuation == example.expected.contains("<+>"))
    }

    @Test("LOGIN never shows the password in a trace", arguments: loginCases)
    func loginRedacted(_ example: LoginCase) {
        let command = example.encoder.encode(.login(user: "alice", password: example.password), tag: "A1")
        #expect(command.redactedTrace.contains("[redacted]"))
        #expect(command.redactedTrace.hasPrefix("A1 LOGIN alice "))
        #expect(command.redactedTrace.hasSuffix("\r\n"))
        if !example.password.isEmpty {
            #expect(!command.redactedTrace.contains(example.password))
            #expect(!nonSensitiveText(command).contains(example.password))
            // Every byte of the password went into a sensitive part (escapes aside).
            let unescaped = sensitiveText(command).replacingBackslashEscapes()
            #expect(unescaped.contains(example.password))
        }
    }

    @Test("LOGIN quotes a user name with a space")
    func loginUserQuoted() {
        let command = Self.synchronizing.encode(.login(user: "Alice Smith", password: "x1"), tag: "A1")
        #expect(render(command) == #"A1 LOGIN "Alice Smith" x1"# + "\r\n")
        #expect(command.redactedTrace == #"A1 LOGIN "Alice Smith" [redacted]"# + "\r\n")
    }

    // MARK: AUTHENTICATE PLAIN

    @Test("AUTHENTICATE PLAIN with SASL-IR sends the credentials on the first line")
    func authenticateWithSASLIR() {
        let encoder = CommandEncoder(saslInitialResponse: true)
        let command = encoder.encode(.authenticatePlain(user: "alice", password: "pž ss"), tag: "A2")
        #expect(render(command) == "A2 AUTHENTICATE PLAIN AGFsaWNlAHDFviBzcw==\r\n")
        #expect(!command.needsContinuation)
        #expect(sensitiveText(command) == "AGFsaWNlAHDFviBzcw==")
        #expect(command.redactedTrace == "A2 AUTHENTICATE PLAIN [redacted]\r\n")
    }

    @Test("AUTHENTICATE PLAIN without SASL-IR waits for + first")
    func authenticateWithoutSASLIR() {
        let command = Self.synchronizing.encode(.authenticatePlain(user: "alice", password: "pž ss"), tag: "A2")
        #expect(render(command) == "A2 AUTHENTICATE PLAIN\r\n<+>AGFsaWNlAHDFviBzcw==\r\n")
        #expect(command.needsContinuation)
        #expect(!command.redactedTrace.contains("AGFsaWNlAHDFviBzcw=="))
        #expect(!command.redactedTrace.contains("pž ss"))
        #expect(command.name == "AUTHENTICATE PLAIN")
    }

    @Test("the encoder's choices follow the capabilities")
    func fromCapabilities() {
        let plus = CommandEncoder(capabilities: [.imap4rev1, .literalPlus, .saslIR])
        #expect(plus.literalSupport == .any)
        #expect(plus.saslInitialResponse)
        let minus = CommandEncoder(capabilities: [.literalMinus])
        #expect(minus.literalSupport == .upTo4096)
        #expect(!minus.saslInitialResponse)
        let plain = CommandEncoder(capabilities: [Capability("IMAP4rev1")])
        #expect(plain.literalSupport == .synchronizingOnly)
        #expect(plain.nonSynchronizingBodyLimit == 100 * 1024)
    }

    // MARK: APPEND

    static let internalDate = date("05-Nov-2026 10:15:00 +0100")

    @Test("APPEND with flags (\\Recent filtered out), INTERNALDATE and a synchronizing body")
    func appendSynchronizing() {
        let message = AppendMessage(flags: [.seen, .recent, "$Forwarded"], internalDate: Self.internalDate, size: 44)
        let command = Self.synchronizing.encode(.append(MailboxName("Odeslaná pošta"), messages: [message]), tag: "A3")
        #expect(
            render(command)
                == #"A3 APPEND "Odeslan&AOE- po&AWE-ta" (\Seen $Forwarded) "05-Nov-2026 10:15:00 +0100" {44}"#
                + "\r\n<+><body 0:44>\r\n")
        #expect(command.needsContinuation)
        #expect(
            command.redactedTrace
                == #"A3 APPEND "Odeslan&AOE- po&AWE-ta" (\Seen $Forwarded) "05-Nov-2026 10:15:00 +0100" {44}"#
                + "\r\n[44 bytes]\r\n")
    }

    @Test("APPEND with LITERAL+ does not wait")
    func appendLiteralPlus() {
        let message = AppendMessage(flags: [.seen], internalDate: Self.internalDate, size: 44)
        let command = Self.literalPlus.encode(.append(.inbox, messages: [message]), tag: "A3")
        #expect(
            render(command) == #"A3 APPEND INBOX (\Seen) "05-Nov-2026 10:15:00 +0100" {44+}"# + "\r\n<body 0:44>\r\n")
        #expect(!command.needsContinuation)
    }

    @Test("APPEND with only \\Recent and no date has no flag list and no date")
    func appendBare() {
        let parsedRecent = Flag(String(decoding: Array("\\RECENT".utf8), as: UTF8.self))  // as the parser builds it
        let message = AppendMessage(flags: [.recent, parsedRecent], internalDate: nil, size: 10)
        let command = Self.synchronizing.encode(.append(MailboxName("Archive"), messages: [message]), tag: "A3")
        #expect(render(command) == "A3 APPEND Archive {10}\r\n<+><body 0:10>\r\n")
    }

    @Test("MULTIAPPEND of several messages in one command")
    func multiAppend() {
        let messages = [
            AppendMessage(flags: [.seen], internalDate: nil, size: 100),
            AppendMessage(flags: [], internalDate: date(" 1-Feb-2025 08:00:00 -0500"), size: 200),
            AppendMessage(flags: [.flagged, .answered], internalDate: nil, size: 300),
        ]
        let sync = Self.synchronizing.encode(.append(MailboxName("Archive"), messages: messages), tag: "A4")
        #expect(
            render(sync) == #"A4 APPEND Archive (\Seen) {100}"# + "\r\n<+><body 0:100>"
                + #" "01-Feb-2025 08:00:00 -0500" {200}"# + "\r\n<+><body 1:200>"
                + #" (\Flagged \Answered) {300}"# + "\r\n<+><body 2:300>\r\n")
        let plus = Self.literalPlus.encode(.append(MailboxName("Archive"), messages: messages), tag: "A4")
        #expect(
            render(plus) == #"A4 APPEND Archive (\Seen) {100+}"# + "\r\n<body 0:100>"
                + #" "01-Feb-2025 08:00:00 -0500" {200+}"# + "\r\n<body 1:200>"
                + #" (\Flagged \Answered) {300+}"# + "\r\n<body 2:300>\r\n")
        #expect(!plus.needsContinuation)
    }

    struct BodyLimitCase: Sendable, CustomTestStringConvertible {
        let encoder: CommandEncoder
        let size: Int
        let synchronizing: Bool
        let why: String
        var testDescription: String { why }
    }

    static let bodyLimitCases: [BodyLimitCase] = [
        BodyLimitCase(
            encoder: literalPlus, size: 100 * 1024, synchronizing: false, why: "LITERAL+ at the 100 KiB limit"),
        BodyLimitCase(
            encoder: literalPlus, size: 100 * 1024 + 1, synchronizing: true, why: "LITERAL+ one byte above the limit"),
        BodyLimitCase(encoder: literalPlus, size: 25_000_000, synchronizing: true, why: "LITERAL+ 25 MB body"),
        BodyLimitCase(
            encoder: CommandEncoder(literalSupport: .any, nonSynchronizingBodyLimit: 1000), size: 1001,
            synchronizing: true, why: "LITERAL+ with a custom 1000-byte limit"),
        BodyLimitCase(encoder: literalMinus, size: 4096, synchronizing: false, why: "LITERAL- at 4096"),
        BodyLimitCase(encoder: literalMinus, size: 4097, synchronizing: true, why: "LITERAL- above 4096"),
        BodyLimitCase(encoder: synchronizing, size: 1, synchronizing: true, why: "no LITERAL+: always synchronizing"),
        // Known bug: with LITERAL- the body limit is ignored (CommandEncoder.appendLiteralHeader, case .upTo4096).
        BodyLimitCase(
            encoder: CommandEncoder(literalSupport: .upTo4096, nonSynchronizingBodyLimit: 1000), size: 2000,
            synchronizing: true, why: "LITERAL- with a custom 1000-byte limit still waits above it"),
    ]

    @Test("bodies above nonSynchronizingBodyLimit wait for + even with LITERAL+", arguments: bodyLimitCases)
    func appendBodyLimit(_ example: BodyLimitCase) {
        let message = AppendMessage(flags: [], internalDate: nil, size: example.size)
        let command = example.encoder.encode(.append(.inbox, messages: [message]), tag: "A5")
        let header = example.synchronizing ? "{\(example.size)}\r\n<+>" : "{\(example.size)+}\r\n"
        #expect(render(command) == "A5 APPEND INBOX " + header + "<body 0:\(example.size)>\r\n")
        #expect(command.needsContinuation == example.synchronizing)
    }

    // MARK: Mailbox commands

    struct Rendered: Sendable, CustomTestStringConvertible {
        let command: Command
        let expected: String
        var testDescription: String { expected.trimmingCRLF() }
    }

    static let rendered: [Rendered] = [
        Rendered(
            command: .list(reference: "", pattern: "*", returnSpecialUse: true),
            expected: #"T1 LIST "" "*" RETURN (SPECIAL-USE)"#),
        Rendered(command: .list(reference: "", pattern: "%", returnSpecialUse: false), expected: #"T1 LIST "" "%""#),
        Rendered(
            command: .list(reference: "", pattern: "*", returnSpecialUse: true, returnStatus: ["MESSAGES", "UIDNEXT"]),
            expected: #"T1 LIST "" "*" RETURN (SPECIAL-USE STATUS (MESSAGES UIDNEXT))"#),
        Rendered(
            command: .list(reference: "", pattern: "*", returnSpecialUse: false, returnStatus: ["UIDVALIDITY"]),
            expected: #"T1 LIST "" "*" RETURN (STATUS (UIDVALIDITY))"#),
        Rendered(
            command: .list(reference: "", pattern: "Přijatá/*", returnSpecialUse: false),
            expected: #"T1 LIST "" "P&AVk-ijat&AOE-/*""#),
        Rendered(command: .select(.inbox, condStore: true), expected: "T1 SELECT INBOX (CONDSTORE)"),
        Rendered(
            command: .select(MailboxName(wire: Array("inbox".utf8)), condStore: false), expected: "T1 SELECT INBOX"),
        Rendered(command: .select(MailboxName("Koš"), condStore: false), expected: "T1 SELECT Ko&AWE-"),
        Rendered(
            command: .examine(MailboxName("Přijatá pošta"), condStore: true),
            expected: #"T1 EXAMINE "P&AVk-ijat&AOE- po&AWE-ta" (CONDSTORE)"#),
        Rendered(
            command: .select(MailboxName("~peter/mail/台北/日本語"), condStore: false),
            expected: "T1 SELECT ~peter/mail/&U,BTFw-/&ZeVnLIqe-"),
        Rendered(command: .create(MailboxName("Sent Items")), expected: #"T1 CREATE "Sent Items""#),
        Rendered(command: .create(MailboxName("50% off")), expected: #"T1 CREATE "50% off""#),
        Rendered(command: .create(MailboxName(#"Say "hi""#)), expected: #"T1 CREATE "Say \"hi\"""#),
        Rendered(command: .create(MailboxName("Tom & Jerry")), expected: #"T1 CREATE "Tom &- Jerry""#),
        Rendered(command: .create(MailboxName(wire: Array("Pošta".utf8))), expected: "T1 CREATE {6}\r\n<+>Pošta"),
        Rendered(command: .subscribe(MailboxName("Archiv/2026")), expected: "T1 SUBSCRIBE Archiv/2026"),
        Rendered(
            command: .status(MailboxName("Sent Items"), items: ["MESSAGES", "UIDNEXT", "UIDVALIDITY"]),
            expected: #"T1 STATUS "Sent Items" (MESSAGES UIDNEXT UIDVALIDITY)"#),
        Rendered(
            command: .uidFetch(
                UIDSet(ranges: [1...5, 7...7, 9...UInt32.max]), items: ["UID", "FLAGS", "MODSEQ"], changedSince: 12345),
            expected: "T1 UID FETCH 1:5,7,9:* (UID FLAGS MODSEQ) (CHANGEDSINCE 12345)"),
        Rendered(
            command: .uidFetch(UIDSet([3, 4]), items: ["BODY.PEEK[]"], changedSince: nil),
            expected: "T1 UID FETCH 3:4 (BODY.PEEK[])"),
        Rendered(
            command: .uidStore(UIDSet([7]), .add, flags: [.seen, .flagged], silent: true, unchangedSince: 200),
            expected: #"T1 UID STORE 7 (UNCHANGEDSINCE 200) +FLAGS.SILENT (\Seen \Flagged)"#),
        Rendered(
            command: .uidStore(UIDSet([1, 2, 3]), .remove, flags: [.deleted], silent: false, unchangedSince: nil),
            expected: #"T1 UID STORE 1:3 -FLAGS (\Deleted)"#),
        Rendered(
            command: .uidStore(UIDSet([9]), .replace, flags: ["$Junk"], silent: false, unchangedSince: nil),
            expected: "T1 UID STORE 9 FLAGS ($Junk)"),
        Rendered(command: .uidSearch(criteria: "UID 100:*"), expected: "T1 UID SEARCH UID 100:*"),
        Rendered(command: .uidExpunge(UIDSet([4, 3])), expected: "T1 UID EXPUNGE 3:4"),
        Rendered(
            command: .id([IDParameter(key: "name", value: "mailferry"), IDParameter(key: "version", value: nil)]),
            expected: #"T1 ID ("name" "mailferry" "version" NIL)"#),
        Rendered(command: .id([]), expected: "T1 ID NIL"),
        Rendered(command: .enable([.condStore, .qresync]), expected: "T1 ENABLE CONDSTORE QRESYNC"),
        Rendered(command: .capability, expected: "T1 CAPABILITY"),
        Rendered(command: .noop, expected: "T1 NOOP"),
        Rendered(command: .logout, expected: "T1 LOGOUT"),
        Rendered(command: .startTLS, expected: "T1 STARTTLS"),
        Rendered(command: .compressDeflate, expected: "T1 COMPRESS DEFLATE"),
        Rendered(command: .namespace, expected: "T1 NAMESPACE"),
        Rendered(command: .idle, expected: "T1 IDLE"),
        Rendered(command: .close, expected: "T1 CLOSE"),
        Rendered(command: .unselect, expected: "T1 UNSELECT"),
    ]

    @Test("renders", arguments: rendered)
    func renders(_ example: Rendered) {
        let command = Self.synchronizing.encode(example.command, tag: "T1")
        #expect(render(command) == example.expected + "\r\n")
        #expect(command.name == example.command.name)
        #expect(command.redactedTrace == render(command).replacingContinuationMarker(), "nothing here is sensitive")
    }

    @Test("mailbox names on the wire decode back to the Unicode name")
    func mailboxWireDecodes() throws {
        for name in ["Přijatá pošta", "Входящие", "受信トレイ", "📧 Mail", "A&B"] {
            let command = Self.synchronizing.encode(.select(MailboxName(name), condStore: false), tag: "T1")
            var wire = Array(render(command).utf8)
            #expect(wire.starts(with: Array("T1 SELECT ".utf8)) && wire.suffix(2) == [13, 10])
            wire = Array(wire.dropFirst("T1 SELECT ".utf8.count).dropLast(2))
            if wire.first == UInt8(ascii: "\"") { wire = Array(wire.dropFirst().dropLast()) }
            #expect(try ModifiedUTF7.decode(wire) == name)
        }
    }
}

extension String {
    /// Undoes quoted-string escaping (`\"` and `\\`) for comparing with the raw password.
    func replacingBackslashEscapes() -> String {
        var result = ""
        var escaped = false
        for character in self {
            if !escaped && character == "\\" { escaped = true; continue }
            escaped = false
            result.append(character)
        }
        return result
    }

    func replacingContinuationMarker() -> String { replacing("<+>", with: "") }

    func trimmingCRLF() -> String { replacing("\r\n", with: "⏎") }
}
