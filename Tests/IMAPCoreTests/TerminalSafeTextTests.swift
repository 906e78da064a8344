import IMAPCore
import Testing

@Suite("server text made safe for terminals")
struct TerminalSafeTextTests {
    @Test(
        "control characters are escaped, printable text (any script) is kept",
        arguments: [
            ("plain text", false, "plain text"),
            ("Odeslaná pošta / Отправленные", false, "Odeslaná pošta / Отправленные"),
            ("\u{1B}]0;title\u{07}", false, "\\u{1B}]0;title\\u{7}"),
            ("a\u{1B}[2Jb", false, "a\\u{1B}[2Jb"),
            ("csi\u{9B}31m", false, "csi\\u{9B}31m"),
            ("line\r\nnext", false, "line\\u{D}\\u{A}next"),
            ("two\nlines\tok", true, "two\nlines\tok"),
            ("cr\r", true, "cr\\u{D}"),
            ("del\u{7F}", false, "del\\u{7F}"),
            ("bidi\u{202E}txt", false, "bidi\\u{202E}txt"),
            ("nul\u{0}", false, "nul\\u{0}"),
        ])
    func escapes(input: String, keepingLineBreaks: Bool, expected: String) {
        #expect(input.terminalSafe(keepingLineBreaks: keepingLineBreaks) == expected)
    }
}
