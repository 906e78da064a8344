import IMAPCore

/// Where an IMAP folder lives inside the job's Maildir, in Dovecot's `LAYOUT=fs` form: INBOX is
/// the root, other folders are nested directories, one per hierarchy level, each name in
/// modified UTF-7 (Dovecot's on-disk spelling). `dovecot -o mail_location=maildir:DIR:LAYOUT=fs`
/// serves an extracted archive as it is.
public enum MaildirFolderPath {
    /// Relative path ("" for INBOX), e.g. `Projects/2026` for `Projects.2026` with separator ".".
    public static func relativePath(for name: MailboxName, separator: Character?) -> String {
        if name.isInbox { return "" }
        // UTF8=ACCEPT servers send UTF-8 names; those are stored like their modified UTF-7 twins.
        let utf8Name = String(validating: name.wireBytes, as: UTF8.self).flatMap {
            $0.unicodeScalars.contains { !$0.isASCII } ? $0 : nil
        }
        guard let unicode = name.decoded ?? utf8Name else {
            // Not valid modified UTF-7: keep the raw bytes behind a prefix the encoder never
            // writes ("#" shifted), so it cannot collide with any valid name.
            let raw = String(decoding: name.wireBytes, as: UTF8.self)
            let levels =
                separator.map { sep in raw.split(separator: sep, omittingEmptySubsequences: false).map(String.init) }
                ?? [raw]
            return levels.map { "&ACM-" + escapeFileSystem($0) }.joined(separator: "/")
        }
        let levels =
            separator.map { sep in unicode.split(separator: sep, omittingEmptySubsequences: false).map(String.init) }
            ?? [unicode]
        return levels.map(encodeLevel).joined(separator: "/")
    }

    /// One level's directory name in modified UTF-7. What a file system or Maildir would
    /// misread is written as a shifted sequence the encoder itself never produces for printable
    /// ASCII (so no two folders share a directory): `/` → `&AC8-`, a leading `.` → `&AC4-`,
    /// an empty level → `&AAA-`, and `cur`/`new`/`tmp` get their first letter shifted.
    static func encodeLevel(_ level: String) -> String {
        let encoded = escapeFileSystem(ModifiedUTF7.encode(level))
        if encoded.isEmpty { return "&AAA-" }
        switch encoded {
        case "cur": return "&AGM-ur"
        case "new": return "&AG4-ew"
        case "tmp": return "&AHQ-mp"
        default: return encoded
        }
    }

    private static func escapeFileSystem(_ text: String) -> String {
        var escaped = text.replacingOccurrences(of: "/", with: "&AC8-")
        if escaped.hasPrefix(".") { escaped = "&AC4-" + escaped.dropFirst() }
        return escaped
    }
}
