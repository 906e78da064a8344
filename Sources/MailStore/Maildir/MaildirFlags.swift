import IMAPCore

/// Maps IMAP flags to the Maildir `:2,` info letters and Dovecot's keyword letters.
///
/// System flags use the standard letters (D F R S T); keywords use `a`–`z`, indexes into the
/// folder's `dovecot-keywords` file, so Dovecot serves an extracted archive with its keywords.
public enum MaildirFlags {
    static let systemLetters: [(Flag, Character)] = [
        (.draft, "D"), (.flagged, "F"), (.answered, "R"), (.seen, "S"), (.deleted, "T"),
    ]

    /// The info suffix letters in ASCII order, as the Maildir spec requires.
    public static func infoLetters(for flags: [Flag], keywordIndex: (String) -> Int?) -> String {
        var letters: [Character] = []
        for flag in flags {
            if let letter = systemLetters.first(where: { $0.0 == flag })?.1 {
                letters.append(letter)
            } else if !flag.isSystemFlag, let index = keywordIndex(flag.name), index < 26 {
                letters.append(Character(Unicode.Scalar(UInt8(ascii: "a") + UInt8(index))))
            }
        }
        return String(Set(letters).sorted())
    }

    /// Flags from info letters (keywords resolved through `keywordName`).
    public static func flags(fromInfo letters: Substring, keywordName: (Int) -> String?) -> [Flag] {
        letters.compactMap { letter -> Flag? in
            if let system = systemLetters.first(where: { $0.1 == letter }) { return system.0 }
            guard let ascii = letter.asciiValue, ascii >= UInt8(ascii: "a"), ascii <= UInt8(ascii: "z") else {
                return nil
            }
            return keywordName(Int(ascii - UInt8(ascii: "a"))).map { Flag($0) }
        }
    }
}
