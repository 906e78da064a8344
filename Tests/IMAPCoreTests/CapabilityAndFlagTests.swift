import IMAPCore
import Testing

/// Capability and Flag normalisation.
@Suite("Capability and Flag")
struct CapabilityAndFlagTests {
    @Test("capabilities compare case-insensitively")
    func capabilityCase() {
        #expect(Capability("auth=plain") == .authPlain)
        #expect(Capability("imap4rev1") == .imap4rev1)
        #expect(Capability("Literal+").name == "LITERAL+")
        #expect(Capability("IDLE") != Capability("IDLE2"))
    }

    @Test("NAME=VALUE capabilities and APPENDLIMIT")
    func parameters() {
        #expect(Capability("APPENDLIMIT=35651584").value(ofParameter: "appendlimit") == "35651584")
        #expect(Capability("AUTH=PLAIN").value(ofParameter: "AUTH") == "PLAIN")
        #expect(Capability("AUTH").value(ofParameter: "AUTH") == nil)
        let withLimit: Set<Capability> = [.imap4rev1, Capability("APPENDLIMIT=35651584"), .idle]
        #expect(withLimit.appendLimit == 35_651_584)
        #expect(Set<Capability>([.imap4rev1]).appendLimit == nil)
    }

    /// Flag names as they come off the wire or out of a file (runtime strings, so `Flag(_:)` runs;
    /// `Flag("literal")` would be literal coercion and call `init(stringLiteral:)` instead).
    static func runtime(_ name: String) -> String { name }

    @Test("system flags are normalised, keywords are not")
    func flags() {
        #expect(Flag(Self.runtime("\\SEEN")) == .seen)
        #expect(Flag(Self.runtime("\\answered")).name == "\\Answered")
        #expect(Flag(Self.runtime("\\RECENT")) == .recent)
        #expect(Flag(Self.runtime("\\*")) == .anyKeyword)
        #expect(Flag(Self.runtime("$Forwarded")).name == "$Forwarded")
        #expect(Flag(Self.runtime("$forwarded")) != Flag(Self.runtime("$Forwarded")))
        #expect(Flag.seen.isSystemFlag)
        #expect(!Flag(Self.runtime("$Junk")).isSystemFlag)
        #expect(Flag(Self.runtime("\\Custom")).name == "\\Custom")
    }

    /// Known bug: Flag.init(stringLiteral:) stores the text as is, so a literal such as
    /// `Flag("\\SEEN")` or `let f: Flag = "\\seen"` is not normalised and differs from `.seen`,
    /// against the type's promise that system flags compare equal whatever their case.
    @Test("a Flag written as a literal is normalised too")
    func literalNormalised() {
        let lower: Flag = "\\seen"
        #expect(lower == .seen)
        #expect(Flag("\\RECENT") == .recent)
    }
}
