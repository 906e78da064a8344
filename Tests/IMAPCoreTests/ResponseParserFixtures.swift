import IMAPCore
import Testing

/// One server transcript and the events the parser must yield for it (body pieces merged).
struct ParseFixture: Sendable, CustomTestStringConvertible {
    let name: String
    /// Raw wire text, CRLF (or a bare LF) included.
    let wire: String
    let expected: [ResponseEvent]

    init(_ name: String, _ wire: String, _ expected: [ResponseEvent]) {
        self.name = name; self.wire = wire; self.expected = expected
    }

    var bytes: [UInt8] { Array(wire.utf8) }
    var testDescription: String { name }
}

/// The fixture tables, grouped by kind of response. Wire lines are raw strings (`#"…"#`) so
/// backslashes read as on the wire; `wire(...)` adds the CRLFs.
enum ResponseParserFixtures {
    static var all: [ParseFixture] {
        greetingsAndConditions + responseCodes + untaggedData + mailboxLists + continuationsAndTagged
            + fetch + sessions
    }

    // MARK: Greetings and untagged conditions

    static let greetingsAndConditions: [ParseFixture] = [
        ParseFixture(
            "Dovecot 2.3 greeting with CAPABILITY code",
            wire(
                "* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ STARTTLS AUTH=PLAIN] Dovecot (Debian) ready."
            ),
            [
                cond(
                    .ok,
                    .capability(caps("IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ STARTTLS AUTH=PLAIN")),
                    "Dovecot (Debian) ready.")
            ]),
        ParseFixture(
            "greeting without a code",
            wire("* OK IMAP4rev1 Service Ready"),
            [cond(.ok, nil, "IMAP4rev1 Service Ready")]),
        ParseFixture(
            "PREAUTH with CAPABILITY",
            wire("* PREAUTH [CAPABILITY IMAP4rev1 IDLE] Logged in as alice"),
            [cond(.preauth, .capability(caps("IMAP4rev1 IDLE")), "Logged in as alice")]),
        ParseFixture(
            "BYE",
            wire("* BYE Logging out"),
            [cond(.bye, nil, "Logging out")]),
        ParseFixture(
            "BYE with UNAVAILABLE",
            wire("* BYE [UNAVAILABLE] Server shutting down."),
            [cond(.bye, .unavailable, "Server shutting down.")]),
        ParseFixture(
            "untagged NO with ALERT",
            wire("* NO [ALERT] Mailbox is at 95% of quota"),
            [cond(.no, .alert, "Mailbox is at 95% of quota")]),
        ParseFixture(
            "untagged BAD",
            wire("* BAD Invalid tag"),
            [cond(.bad, nil, "Invalid tag")]),
        ParseFixture(
            "bare * OK without text",
            wire("* OK"),
            [cond(.ok, nil, "")]),
        ParseFixture(
            "lower-case condition keyword",
            wire("* ok [alert] lower case"),
            [cond(.ok, .alert, "lower case")]),
    ]

    // MARK: Response codes

    static let responseCodes: [ParseFixture] = [
        ParseFixture(
            "UIDVALIDITY",
            wire("* OK [UIDVALIDITY 1732496000] UIDs valid"),
            [cond(.ok, .uidValidity(1_732_496_000), "UIDs valid")]),
        ParseFixture(
            "UIDNEXT",
            wire("* OK [UIDNEXT 4392] Predicted next UID"),
            [cond(.ok, .uidNext(4392), "Predicted next UID")]),
        ParseFixture(
            "UIDVALIDITY at the 32-bit maximum",
            wire("* OK [UIDVALIDITY 4294967295] max"),
            [cond(.ok, .uidValidity(UInt32.max), "max")]),
        ParseFixture(
            "PERMANENTFLAGS with \\*",
            wire(#"* OK [PERMANENTFLAGS (\Answered \Flagged \Deleted \Seen \Draft $Forwarded \*)] Flags permitted."#),
            [
                cond(
                    .ok, .permanentFlags([.answered, .flagged, .deleted, .seen, .draft, "$Forwarded", .anyKeyword]),
                    "Flags permitted.")
            ]),
        ParseFixture(
            "PERMANENTFLAGS empty",
            wire("* OK [PERMANENTFLAGS ()] No permanent flags permitted"),
            [cond(.ok, .permanentFlags([]), "No permanent flags permitted")]),
        ParseFixture(
            "UNSEEN",
            wire("* OK [UNSEEN 12] First unseen."),
            [cond(.ok, .unseen(12), "First unseen.")]),
        ParseFixture(
            "APPENDUID single (Dovecot)",
            wire("A5 OK [APPENDUID 1732496000 3955] Append completed (0.003 + 0.000 + 0.002 secs)."),
            [
                tagged(
                    "A5", .ok, .appendUID(uidValidity: 1_732_496_000, uids: UIDSet(ranges: [3955...3955])),
                    "Append completed (0.003 + 0.000 + 0.002 secs).")
            ]),
        ParseFixture(
            "APPENDUID range after MULTIAPPEND",
            wire("A6 OK [APPENDUID 38505 3955:3957] Append completed."),
            [
                tagged(
                    "A6", .ok, .appendUID(uidValidity: 38505, uids: UIDSet(ranges: [3955...3957])),
                    "Append completed.")
            ]),
        ParseFixture(
            "COPYUID with a uid set",
            wire("A7 OK [COPYUID 38505 304,319:320 3956:3958] Copy completed."),
            [
                tagged(
                    "A7", .ok,
                    .copyUID(
                        uidValidity: 38505, source: UIDSet(ranges: [304...304, 319...320]),
                        destination: UIDSet(ranges: [3956...3958])), "Copy completed.")
            ]),
        ParseFixture(
            "untagged COPYUID from MOVE",
            wire("* OK [COPYUID 1732496000 1:3 7:9] Moved UIDs."),
            [
                cond(
                    .ok,
                    .copyUID(
                        uidValidity: 1_732_496_000, source: UIDSet(ranges: [1...3]),
                        destination: UIDSet(ranges: [7...9])), "Moved UIDs.")
            ]),
        ParseFixture(
            "TRYCREATE",
            wire("A8 NO [TRYCREATE] Mailbox doesn't exist: Archiv/2026"),
            [tagged("A8", .no, .tryCreate, "Mailbox doesn't exist: Archiv/2026")]),
        ParseFixture(
            "OVERQUOTA (Dovecot)",
            wire("A9 NO [OVERQUOTA] Quota exceeded (mailbox for user is full)"),
            [tagged("A9", .no, .overQuota, "Quota exceeded (mailbox for user is full)")]),
        ParseFixture(
            "TOOBIG",
            wire("A10 NO [TOOBIG] Mail size is larger than the maximum size allowed by server configuration"),
            [tagged("A10", .no, .tooBig, "Mail size is larger than the maximum size allowed by server configuration")]),
        ParseFixture(
            "ALERT",
            wire("* OK [ALERT] System shutdown in 10 minutes"),
            [cond(.ok, .alert, "System shutdown in 10 minutes")]),
        ParseFixture(
            "HIGHESTMODSEQ beyond 32 bits",
            wire("* OK [HIGHESTMODSEQ 715194045007] Highest"),
            [cond(.ok, .highestModSeq(715_194_045_007), "Highest")]),
        ParseFixture(
            "NOMODSEQ",
            wire("* OK [NOMODSEQ] No permanent modsequences"),
            [cond(.ok, .noModSeq, "No permanent modsequences")]),
        ParseFixture(
            "READ-WRITE (Dovecot SELECT)",
            wire("A3 OK [READ-WRITE] Select completed (0.001 + 0.000 secs)."),
            [tagged("A3", .ok, .readWrite, "Select completed (0.001 + 0.000 secs).")]),
        ParseFixture(
            "READ-ONLY (Dovecot EXAMINE)",
            wire("A4 OK [READ-ONLY] Examine completed (0.001 + 0.000 secs)."),
            [tagged("A4", .ok, .readOnly, "Examine completed (0.001 + 0.000 secs).")]),
        ParseFixture(
            "code without text after it",
            wire("A13 OK [READ-WRITE]"),
            [tagged("A13", .ok, .readWrite, "")]),
        ParseFixture(
            "AUTHENTICATIONFAILED",
            wire("A2 NO [AUTHENTICATIONFAILED] Authentication failed."),
            [tagged("A2", .no, .authenticationFailed, "Authentication failed.")]),
        ParseFixture(
            "ALREADYEXISTS",
            wire("A16 NO [ALREADYEXISTS] Mailbox already exists"),
            [tagged("A16", .no, .alreadyExists, "Mailbox already exists")]),
        ParseFixture(
            "NONEXISTENT",
            wire("A17 NO [NONEXISTENT] Mailbox doesn't exist: Foo"),
            [tagged("A17", .no, .nonExistent, "Mailbox doesn't exist: Foo")]),
        ParseFixture(
            "unknown code with text",
            wire("* OK [XFOO some thing] hello"),
            [cond(.ok, .other(name: "XFOO", text: "some thing"), "hello")]),
        ParseFixture(
            "BADCHARSET as an unknown code with a list",
            wire("A11 NO [BADCHARSET (UTF-8 US-ASCII)] Unsupported charset"),
            [tagged("A11", .no, .other(name: "BADCHARSET", text: "(UTF-8 US-ASCII)"), "Unsupported charset")]),
        ParseFixture(
            "unknown code without text",
            wire("A12 OK [CLIENTBUG] Done with no effect"),
            [tagged("A12", .ok, .other(name: "CLIENTBUG", text: ""), "Done with no effect")]),
        ParseFixture(
            "CAPABILITY in the tagged LOGIN reply (Dovecot)",
            wire(
                "A1 OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT MULTIAPPEND UNSELECT CHILDREN NAMESPACE UIDPLUS LIST-EXTENDED CONDSTORE QRESYNC ESEARCH LIST-STATUS BINARY MOVE LITERAL+ SPECIAL-USE APPENDLIMIT=35651584] Logged in"
            ),
            [
                tagged(
                    "A1", .ok,
                    .capability(
                        caps(
                            "IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT MULTIAPPEND UNSELECT CHILDREN NAMESPACE UIDPLUS LIST-EXTENDED CONDSTORE QRESYNC ESEARCH LIST-STATUS BINARY MOVE LITERAL+ SPECIAL-USE APPENDLIMIT=35651584"
                        )),
                    "Logged in")
            ]),
    ]

    // MARK: Untagged data

    static let untaggedData: [ParseFixture] = [
        ParseFixture("EXISTS", wire("* 172 EXISTS"), [untagged(.exists(172))]),
        ParseFixture("RECENT", wire("* 1 RECENT"), [untagged(.recent(1))]),
        ParseFixture("EXPUNGE", wire("* 44 EXPUNGE"), [untagged(.expunge(44))]),
        ParseFixture("EXISTS with a bare LF", "* 0 EXISTS\n", [untagged(.exists(0))]),
        ParseFixture(
            "unknown numeric response",
            wire("* 3 XWEIRD foo bar"),
            [untagged(.other(keyword: "3 XWEIRD", text: "foo bar"))]),
        ParseFixture(
            "CAPABILITY",
            wire("* CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN LOGINDISABLED"),
            [untagged(.capability([.imap4rev1, .startTLS, .authPlain, .loginDisabled]))]),
        ParseFixture(
            "ENABLED",
            wire("* ENABLED CONDSTORE QRESYNC"),
            [untagged(.enabled([.condStore, .qresync]))]),
        ParseFixture(
            "ENABLED with nothing",
            wire("* ENABLED"),
            [untagged(.enabled([]))]),
        ParseFixture(
            "ID (Dovecot)",
            wire(#"* ID ("name" "Dovecot")"#),
            [untagged(.id([IDParameter(key: "name", value: "Dovecot")]))]),
        ParseFixture(
            "ID with escapes and a NIL value",
            wire(#"* ID ("name" "Cyrus \"IMAP\" \\ server" "version" NIL)"#),
            [
                untagged(
                    .id([
                        IDParameter(key: "name", value: #"Cyrus "IMAP" \ server"#),
                        IDParameter(key: "version", value: nil),
                    ]))
            ]),
        ParseFixture(
            "ID NIL",
            wire("* ID NIL"),
            [untagged(.id(nil))]),
        ParseFixture(
            "NAMESPACE (Dovecot)",
            wire(#"* NAMESPACE (("" "/")) NIL NIL"#),
            [
                untagged(
                    .namespace(
                        NamespaceResponse(
                            personal: [NamespaceDescription(prefix: "", separator: "/")],
                            otherUsers: [], shared: [])))
            ]),
        ParseFixture(
            "NAMESPACE with all three groups",
            wire(##"* NAMESPACE (("" "/")) (("~" "/")) (("#shared/" "/")("#public/" "/"))"##),
            [
                untagged(
                    .namespace(
                        NamespaceResponse(
                            personal: [NamespaceDescription(prefix: "", separator: "/")],
                            otherUsers: [NamespaceDescription(prefix: "~", separator: "/")],
                            shared: [
                                NamespaceDescription(prefix: "#shared/", separator: "/"),
                                NamespaceDescription(prefix: "#public/", separator: "/"),
                            ])))
            ]),
        ParseFixture(
            "NAMESPACE with NIL separator, extension and modified UTF-7 prefix",
            wire(
                #"* NAMESPACE (("INBOX." ".")) (("Other" NIL)) (("Sd&AO0-len&AOk-/" "/" "X-PARAM" ("FLAG1" "FLAG2")))"#),
            [
                untagged(
                    .namespace(
                        NamespaceResponse(
                            personal: [NamespaceDescription(prefix: "INBOX.", separator: ".")],
                            otherUsers: [NamespaceDescription(prefix: "Other", separator: nil)],
                            shared: [NamespaceDescription(prefix: "Sdílené/", separator: "/")])))
            ]),
        ParseFixture(
            "FLAGS (Dovecot SELECT)",
            wire(#"* FLAGS (\Answered \Flagged \Deleted \Seen \Draft)"#),
            [untagged(.flags([.answered, .flagged, .deleted, .seen, .draft]))]),
        ParseFixture(
            "FLAGS with keywords and odd case system flags",
            wire(#"* FLAGS (\answered \SEEN $Forwarded $label1 NonJunk)"#),
            [untagged(.flags([.answered, .seen, "$Forwarded", "$label1", "NonJunk"]))]),
        ParseFixture(
            "STATUS",
            wire("* STATUS INBOX (MESSAGES 2 UIDNEXT 3 UIDVALIDITY 1732496000 UNSEEN 1)"),
            [
                untagged(
                    .status(mailbox("INBOX"), status(messages: 2, uidNext: 3, uidValidity: 1_732_496_000, unseen: 1)))
            ]),
        ParseFixture(
            "STATUS of a quoted modified UTF-7 name with SIZE and HIGHESTMODSEQ",
            wire(#"* STATUS "Odeslan&AOE- po&AWE-ta" (MESSAGES 231 RECENT 0 SIZE 1048576 HIGHESTMODSEQ 7011231777)"#),
            [
                untagged(
                    .status(
                        mailbox("Odeslan&AOE- po&AWE-ta"),
                        status(messages: 231, recent: 0, size: 1_048_576, highestModSeq: 7_011_231_777)))
            ]),
        ParseFixture(
            "STATUS ignores an item it does not model",
            wire("* STATUS Sent (MESSAGES 4 DELETED 1)"),
            [untagged(.status(mailbox("Sent"), status(messages: 4)))]),
        ParseFixture(
            "STATUS with a literal mailbox name",
            wire("* STATUS " + literal("Projekt (Q4)") + " (MESSAGES 9)"),
            [untagged(.status(mailbox("Projekt (Q4)"), status(messages: 9)))]),
        ParseFixture(
            "SEARCH",
            wire("* SEARCH 2 3 6"),
            [untagged(.search([2, 3, 6], highestModSeq: nil))]),
        ParseFixture(
            "SEARCH without results",
            wire("* SEARCH"),
            [untagged(.search([], highestModSeq: nil))]),
        ParseFixture(
            "SEARCH with MODSEQ",
            wire("* SEARCH 2 5 6 7 11 12 18 19 20 23 (MODSEQ 917162500)"),
            [untagged(.search([2, 5, 6, 7, 11, 12, 18, 19, 20, 23], highestModSeq: 917_162_500))]),
        ParseFixture(
            "VANISHED (EARLIER)",
            wire("* VANISHED (EARLIER) 41,43:116,118,120:211,214:540"),
            [
                untagged(
                    .vanished(
                        earlier: true, uids: UIDSet(ranges: [41...41, 43...116, 118...118, 120...211, 214...540])))
            ]),
        ParseFixture(
            "VANISHED",
            wire("* VANISHED 405,407,410,425"),
            [untagged(.vanished(earlier: false, uids: UIDSet(ranges: [405...405, 407...407, 410...410, 425...425])))]),
        ParseFixture(
            "unknown untagged response (ESEARCH)",
            wire(#"* ESEARCH (TAG "A1") UID ALL 1:3"#),
            [untagged(.other(keyword: "ESEARCH", text: #"(TAG "A1") UID ALL 1:3"#))]),
    ]

    // MARK: LIST / LSUB

    static let mailboxLists: [ParseFixture] = [
        ParseFixture(
            "LIST special-use Sent (Dovecot)",
            wire(#"* LIST (\HasNoChildren \Sent) "/" Sent"#),
            [untagged(.list(listing(["\\HasNoChildren", "\\Sent"], "/", "Sent")))]),
        ParseFixture(
            "LIST special-use Trash and Junk with a quoted name",
            wire(#"* LIST (\HasNoChildren \Junk) "/" "Junk E-mail""#, #"* LIST (\HasNoChildren \Trash) "/" Trash"#),
            [
                untagged(.list(listing(["\\HasNoChildren", "\\Junk"], "/", "Junk E-mail"))),
                untagged(.list(listing(["\\HasNoChildren", "\\Trash"], "/", "Trash"))),
            ]),
        ParseFixture(
            "LIST INBOX with children",
            wire(#"* LIST (\HasChildren) "." INBOX"#),
            [untagged(.list(listing(["\\HasChildren"], ".", "INBOX")))]),
        ParseFixture(
            "LIST with NIL separator",
            wire("* LIST () NIL INBOX"),
            [untagged(.list(listing([], nil, "INBOX")))]),
        ParseFixture(
            "LIST with \\Noselect and an empty quoted name",
            wire(#"* LIST (\Noselect) "/" """#),
            [untagged(.list(listing(["\\Noselect"], "/", "")))]),
        ParseFixture(
            "LIST quoted name with \\\" and \\\\ escapes",
            wire(#"* LIST () "/" "say \"hi\" \\ bye""#),
            [untagged(.list(listing([], "/", #"say "hi" \ bye"#)))]),
        ParseFixture(
            "LIST with a backslash separator",
            wire(#"* LIST (\HasNoChildren) "\\" "Inbox\\Sub""#),
            [untagged(.list(listing(["\\HasNoChildren"], "\\", #"Inbox\Sub"#)))]),
        ParseFixture(
            "LIST with a literal name containing ( and )",
            wire(#"* LIST (\HasNoChildren) "/" "# + literal("Projekt (Q4)")),
            [untagged(.list(listing(["\\HasNoChildren"], "/", "Projekt (Q4)")))]),
        ParseFixture(
            "LIST with a modified UTF-7 name (Czech)",
            wire(#"* LIST (\HasNoChildren) "/" "P&AVk-ijat&AOE- po&AWE-ta""#),
            [untagged(.list(listing(["\\HasNoChildren"], "/", "P&AVk-ijat&AOE- po&AWE-ta")))]),
        // The RFC's own example starts with "~", which trips a parser bug: see
        // ResponseParserTests.tildeAtomName. This entry keeps the rest of the name in an atom.
        ParseFixture(
            "LIST with a modified UTF-7 atom name",
            wire(#"* LIST () "/" peter/mail/&U,BTFw-/&ZeVnLIqe-"#),
            [untagged(.list(listing([], "/", "peter/mail/&U,BTFw-/&ZeVnLIqe-")))]),
        ParseFixture(
            "LIST with Cyrillic name and special-use Drafts",
            wire(#"* LIST (\HasNoChildren \Drafts) "." "&BBIERQQ+BDQETwRJBDgENQ-""#),
            [untagged(.list(listing(["\\HasNoChildren", "\\Drafts"], ".", "&BBIERQQ+BDQETwRJBDgENQ-")))]),
        ParseFixture(
            "LIST-EXTENDED with CHILDINFO",
            wire(#"* LIST (\Subscribed \HasChildren) "/" "Foo" ("CHILDINFO" ("SUBSCRIBED"))"#),
            [untagged(.list(listing(["\\Subscribed", "\\HasChildren"], "/", "Foo")))]),
        ParseFixture(
            "LSUB",
            wire(#"* LSUB () "." #news.comp.mail.misc"#),
            [untagged(.lsub(listing([], ".", "#news.comp.mail.misc")))]),
        ParseFixture(
            "LSUB with \\Noselect",
            wire(#"* LSUB (\Noselect) "/" Archive"#),
            [untagged(.lsub(listing(["\\Noselect"], "/", "Archive")))]),
    ]

    // MARK: Continuations and tagged completions

    static let continuationsAndTagged: [ParseFixture] = [
        ParseFixture(
            "continuation with text", wire("+ Ready for literal data"), [.continuation("Ready for literal data")]),
        ParseFixture("continuation '+ ' with empty text", wire("+ "), [.continuation("")]),
        ParseFixture("bare continuation '+'", wire("+"), [.continuation("")]),
        ParseFixture("continuation 'idling' (Dovecot IDLE)", wire("+ idling"), [.continuation("idling")]),
        ParseFixture("SASL continuation with base64", wire("+ dGVzdA=="), [.continuation("dGVzdA==")]),
        ParseFixture("tagged OK", wire("A1 OK Logged in"), [tagged("A1", .ok, nil, "Logged in")]),
        ParseFixture(
            "tagged NO", wire("A20 NO Mailbox doesn't exist"), [tagged("A20", .no, nil, "Mailbox doesn't exist")]),
        ParseFixture(
            "tagged BAD (Dovecot)",
            wire("A14 BAD Error in IMAP command received by server."),
            [tagged("A14", .bad, nil, "Error in IMAP command received by server.")]),
        ParseFixture("lower-case tag and status", wire("a15 ok done"), [tagged("a15", .ok, nil, "done")]),
        ParseFixture(
            "tagged OK with a bare LF", "A9 OK Logout completed.\n", [tagged("A9", .ok, nil, "Logout completed.")]),
    ]

    // MARK: FETCH

    /// 44 bytes with CRLFs, a `)` and a `{5}` CRLF inside, so a naive framer would go wrong.
    static let messageBody = "From: a@b\r\nSubject: (x)\r\n\r\nhi there {5}\r\n)\r\n"

    static let binaryBody = "\u{0}\u{1}\u{2}\r\n\u{7F}é\u{0}"

    static let envelopeValue: IMAPValue = .list([
        str("Wed, 05 Nov 2026 10:15:00 +0100"), str(#"Re: "quoted" \ test"#),
        .list([.list([str("Alice"), .nil_, str("alice"), str("example.com")])]),
        .nil_, .nil_, .nil_, .nil_, .nil_, .nil_, str("<id@example.com>"),
    ])

    static let fetch: [ParseFixture] = [
        ParseFixture(
            "FETCH FLAGS and UID",
            wire(#"* 12 FETCH (FLAGS (\Seen) UID 4827313)"#),
            [
                .fetchStart(sequenceNumber: 12), .fetchAttribute(.flags([.seen])), .fetchAttribute(.uid(4_827_313)),
                .fetchEnd,
            ]),
        ParseFixture(
            "FETCH with empty FLAGS and MODSEQ",
            wire("* 3 FETCH (UID 9 MODSEQ (624140003) FLAGS ())"),
            [
                .fetchStart(sequenceNumber: 3), .fetchAttribute(.uid(9)), .fetchAttribute(.modSeq(624_140_003)),
                .fetchAttribute(.flags([])), .fetchEnd,
            ]),
        ParseFixture(
            "FETCH INTERNALDATE with space-padded day and RFC822.SIZE",
            wire(#"* 1 FETCH (INTERNALDATE " 5-Nov-2026 10:15:00 +0100" RFC822.SIZE 44)"#),
            [
                .fetchStart(sequenceNumber: 1), .fetchAttribute(.internalDate(date("05-Nov-2026 10:15:00 +0100"))),
                .fetchAttribute(.rfc822Size(44)), .fetchEnd,
            ]),
        ParseFixture(
            "FETCH with a literal BODY[] and everything mailferry asks for",
            wire(
                #"* 1 FETCH (UID 7 FLAGS (\Seen $Forwarded) INTERNALDATE "05-Nov-2026 10:15:00 +0100" RFC822.SIZE 44 BODY[] "#
                    + literal(messageBody) + ")"),
            [
                .fetchStart(sequenceNumber: 1), .fetchAttribute(.uid(7)),
                .fetchAttribute(.flags([.seen, "$Forwarded"])),
                .fetchAttribute(.internalDate(date("05-Nov-2026 10:15:00 +0100"))), .fetchAttribute(.rfc822Size(44)),
            ]
                + bodyEvents("BODY", messageBody) + [.fetchEnd]),
        ParseFixture(
            "FETCH BINARY[] with a literal8",
            wire("* 2 FETCH (UID 8 BINARY[] " + literal8(binaryBody) + ")"),
            [.fetchStart(sequenceNumber: 2), .fetchAttribute(.uid(8))] + bodyEvents("BINARY", binaryBody) + [.fetchEnd]),
        ParseFixture(
            "FETCH BINARY[1.2] of one part",
            wire("* 2 FETCH (BINARY[1.2] " + literal8("part two") + " UID 8)"),
            [.fetchStart(sequenceNumber: 2)] + bodyEvents("BINARY", "1.2", "part two") + [
                .fetchAttribute(.uid(8)), .fetchEnd,
            ]),
        ParseFixture(
            "FETCH BODY[HEADER.FIELDS (...)] section",
            wire(
                "* 1 FETCH (BODY[HEADER.FIELDS (MESSAGE-ID SUBJECT)] "
                    + literal("Message-ID: <a@b>\r\nSubject: hi\r\n\r\n") + ")"),
            [.fetchStart(sequenceNumber: 1)]
                + bodyEvents(
                    "BODY", "HEADER.FIELDS (MESSAGE-ID SUBJECT)",
                    "Message-ID: <a@b>\r\nSubject: hi\r\n\r\n") + [.fetchEnd]),
        ParseFixture(
            "FETCH partial BODY[]<0>",
            wire("* 1 FETCH (BODY[]<0> " + literal("0123456789") + ")"),
            [.fetchStart(sequenceNumber: 1)] + bodyEvents("BODY", origin: 0, "0123456789") + [.fetchEnd]),
        ParseFixture(
            "FETCH partial BODY[TEXT]<1024>",
            wire("* 1 FETCH (BODY[TEXT]<1024> " + literal("tail") + ")"),
            [.fetchStart(sequenceNumber: 1)] + bodyEvents("BODY", "TEXT", origin: 1024, "tail") + [.fetchEnd]),
        ParseFixture(
            "FETCH RFC822",
            wire("* 4 FETCH (RFC822 " + literal("Subject: x\r\n\r\nbody\r\n") + ")"),
            [.fetchStart(sequenceNumber: 4)] + bodyEvents("RFC822", "Subject: x\r\n\r\nbody\r\n") + [.fetchEnd]),
        ParseFixture(
            "FETCH RFC822.HEADER",
            wire("* 4 FETCH (RFC822.HEADER " + literal("Subject: x\r\n\r\n") + ")"),
            [.fetchStart(sequenceNumber: 4)] + bodyEvents("RFC822.HEADER", "Subject: x\r\n\r\n") + [.fetchEnd]),
        ParseFixture(
            "FETCH two bodies in one response",
            wire("* 5 FETCH (BODY[HEADER] " + literal("H: 1\r\n\r\n") + " BODY[TEXT] " + literal("text)") + ")"),
            [.fetchStart(sequenceNumber: 5)] + bodyEvents("BODY", "HEADER", "H: 1\r\n\r\n")
                + bodyEvents("BODY", "TEXT", "text)") + [.fetchEnd]),
        ParseFixture(
            "FETCH BODY[] NIL",
            wire("* 1 FETCH (UID 5 BODY[] NIL)"),
            [
                .fetchStart(sequenceNumber: 1), .fetchAttribute(.uid(5)), .bodyStart(section("BODY"), size: 0),
                .bodyEnd, .fetchEnd,
            ]),
        ParseFixture(
            "FETCH body as a quoted string with escapes",
            wire(#"* 1 FETCH (BODY[TEXT] "hi \"there\"")"#),
            [.fetchStart(sequenceNumber: 1)] + bodyEvents("BODY", "TEXT", #"hi "there""#) + [.fetchEnd]),
        ParseFixture(
            "FETCH zero-length literal body",
            wire("* 1 FETCH (BODY[] {0}\r\n)"),
            [.fetchStart(sequenceNumber: 1), .bodyStart(section("BODY"), size: 0), .bodyEnd, .fetchEnd]),
        ParseFixture(
            "FETCH ENVELOPE as a generic value",
            wire(
                #"* 1 FETCH (UID 3 ENVELOPE ("Wed, 05 Nov 2026 10:15:00 +0100" "Re: \"quoted\" \\ test" (("Alice" NIL "alice" "example.com")) NIL NIL NIL NIL NIL NIL "<id@example.com>"))"#
            ),
            [
                .fetchStart(sequenceNumber: 1), .fetchAttribute(.uid(3)),
                .fetchAttribute(.other(name: "ENVELOPE", value: envelopeValue)), .fetchEnd,
            ]),
        ParseFixture(
            "FETCH ENVELOPE with a literal subject",
            wire("* 1 FETCH (ENVELOPE (NIL " + literal("hello (world)") + " NIL))"),
            [
                .fetchStart(sequenceNumber: 1),
                .fetchAttribute(.other(name: "ENVELOPE", value: .list([.nil_, str("hello (world)"), .nil_]))),
                .fetchEnd,
            ]),
        ParseFixture(
            "FETCH BODYSTRUCTURE single part",
            wire(
                #"* 1 FETCH (BODYSTRUCTURE ("TEXT" "PLAIN" ("CHARSET" "utf-8") NIL NIL "7BIT" 44 2 NIL NIL NIL NIL))"#),
            [
                .fetchStart(sequenceNumber: 1),
                .fetchAttribute(
                    .other(
                        name: "BODYSTRUCTURE",
                        value: .list([
                            str("TEXT"), str("PLAIN"), .list([str("CHARSET"), str("utf-8")]), .nil_, .nil_, str("7BIT"),
                            .number(44), .number(2), .nil_, .nil_, .nil_, .nil_,
                        ]))), .fetchEnd,
            ]),
        ParseFixture(
            "FETCH BODYSTRUCTURE multipart (no space between parts)",
            wire(
                #"* 2 FETCH (BODYSTRUCTURE (("TEXT" "PLAIN" ("CHARSET" "utf-8") NIL NIL "QUOTED-PRINTABLE" 12 1)("TEXT" "HTML" NIL NIL NIL "BASE64" 40 1) "ALTERNATIVE"))"#
            ),
            [
                .fetchStart(sequenceNumber: 2),
                .fetchAttribute(
                    .other(
                        name: "BODYSTRUCTURE",
                        value: .list([
                            .list([
                                str("TEXT"), str("PLAIN"), .list([str("CHARSET"), str("utf-8")]), .nil_, .nil_,
                                str("QUOTED-PRINTABLE"), .number(12), .number(1),
                            ]),
                            .list([
                                str("TEXT"), str("HTML"), .nil_, .nil_, .nil_, str("BASE64"), .number(40), .number(1),
                            ]),
                            str("ALTERNATIVE"),
                        ]))), .fetchEnd,
            ]),
        ParseFixture(
            "FETCH BODY without section is a body structure",
            wire(#"* 1 FETCH (BODY ("TEXT" "PLAIN" NIL NIL NIL "7BIT" 3 1))"#),
            [
                .fetchStart(sequenceNumber: 1),
                .fetchAttribute(
                    .other(
                        name: "BODY",
                        value: .list([
                            str("TEXT"), str("PLAIN"), .nil_, .nil_, .nil_,
                            str("7BIT"), .number(3), .number(1),
                        ]))), .fetchEnd,
            ]),
        ParseFixture(
            "FETCH X-GM-LABELS atoms and strings",
            wire(#"* 1 FETCH (X-GM-LABELS (\Inbox "Work Stuff") UID 9)"#),
            [
                .fetchStart(sequenceNumber: 1),
                .fetchAttribute(.other(name: "X-GM-LABELS", value: .list([.atom("\\Inbox"), str("Work Stuff")]))),
                .fetchAttribute(.uid(9)), .fetchEnd,
            ]),
        ParseFixture(
            "FETCH in lower case",
            wire(#"* 1 fetch (uid 7 flags (\seen \flagged))"#),
            [
                .fetchStart(sequenceNumber: 1), .fetchAttribute(.uid(7)), .fetchAttribute(.flags([.seen, .flagged])),
                .fetchEnd,
            ]),
        ParseFixture(
            "FETCH with bare LF line ends",
            "* 1 FETCH (UID 7 BODY[] {3}\nabc)\n",
            [.fetchStart(sequenceNumber: 1), .fetchAttribute(.uid(7))] + bodyEvents("BODY", "abc") + [.fetchEnd]),
        ParseFixture(
            "FETCH with no items",
            wire("* 9 FETCH ()"),
            [.fetchStart(sequenceNumber: 9), .fetchEnd]),
    ]

    // MARK: Whole exchanges

    static let sessions: [ParseFixture] = [
        ParseFixture(
            "Dovecot 2.3 SELECT output",
            wire(
                #"* FLAGS (\Answered \Flagged \Deleted \Seen \Draft)"#,
                #"* OK [PERMANENTFLAGS (\Answered \Flagged \Deleted \Seen \Draft \*)] Flags permitted."#,
                "* 3 EXISTS",
                "* 0 RECENT",
                "* OK [UNSEEN 2] First unseen.",
                "* OK [UIDVALIDITY 1732496000] UIDs valid",
                "* OK [UIDNEXT 4] Predicted next UID",
                "* OK [HIGHESTMODSEQ 5] Highest",
                "A3 OK [READ-WRITE] Select completed (0.001 + 0.000 secs)."),
            [
                untagged(.flags([.answered, .flagged, .deleted, .seen, .draft])),
                cond(
                    .ok, .permanentFlags([.answered, .flagged, .deleted, .seen, .draft, .anyKeyword]),
                    "Flags permitted."),
                untagged(.exists(3)), untagged(.recent(0)),
                cond(.ok, .unseen(2), "First unseen."),
                cond(.ok, .uidValidity(1_732_496_000), "UIDs valid"),
                cond(.ok, .uidNext(4), "Predicted next UID"),
                cond(.ok, .highestModSeq(5), "Highest"),
                tagged("A3", .ok, .readWrite, "Select completed (0.001 + 0.000 secs)."),
            ]),
        ParseFixture(
            "UID FETCH replies then the tagged OK",
            wire(
                "* 1 FETCH (UID 1 FLAGS ())", #"* 2 FETCH (UID 2 FLAGS (\Deleted))"#,
                "A4 OK Fetch completed (0.001 + 0.000 secs)."),
            [
                .fetchStart(sequenceNumber: 1), .fetchAttribute(.uid(1)), .fetchAttribute(.flags([])), .fetchEnd,
                .fetchStart(sequenceNumber: 2), .fetchAttribute(.uid(2)), .fetchAttribute(.flags([.deleted])),
                .fetchEnd,
                tagged("A4", .ok, nil, "Fetch completed (0.001 + 0.000 secs)."),
            ]),
        ParseFixture(
            "IDLE with updates",
            wire("+ idling", "* 4 EXISTS", #"* 1 FETCH (FLAGS (\Seen))"#, "* 2 EXPUNGE", "A8 OK Idle completed."),
            [
                .continuation("idling"), untagged(.exists(4)),
                .fetchStart(sequenceNumber: 1), .fetchAttribute(.flags([.seen])), .fetchEnd,
                untagged(.expunge(2)), tagged("A8", .ok, nil, "Idle completed."),
            ]),
        ParseFixture(
            "LOGOUT",
            wire("* BYE Logging out", "A9 OK Logout completed (0.001 + 0.000 secs)."),
            [cond(.bye, nil, "Logging out"), tagged("A9", .ok, nil, "Logout completed (0.001 + 0.000 secs).")]),
        ParseFixture(
            "mixed CRLF and bare LF",
            "* 2 EXISTS\n* 1 RECENT\r\nA2 OK done\n",
            [untagged(.exists(2)), untagged(.recent(1)), tagged("A2", .ok, nil, "done")]),
    ]
}
