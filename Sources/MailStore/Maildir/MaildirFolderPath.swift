import IMAPCore

/// Where an IMAP folder lives inside the job's Maildir, in Dovecot's `LAYOUT=fs` form: INBOX is
/// the root, other folders are nested directories, one per hierarchy level, each name in
/// modified UTF-7 (Dovecot's on-disk spelling). `dovecot -o mail_location=maildir:DIR:LAYOUT=fs`
/// serves an extracted archive as it is.
public enum MaildirFolderPath {
    /// Relative path ("" for INBOX), e.g. `Projects/2026` for `Projects.2026` with separator ".".
    public static func relativePath(for name: MailboxName, separator: Character?) -> String {
        if name.isInbox { return "" }
        let unicode = name.decoded ?? String(decoding: name.wireBytes, as: UTF8.self)
        let levels = separator.map { sep in unicode.split(separator: sep, omittingEmptySubsequences: false).map(String.init) } ?? [unicode]
        return levels.map(encodeLevel).joined(separator: "/")
    }

    /// One level's directory name: modified UTF-7, with the characters a file system or
    /// Maildir would misread escaped (`/`, a leading `.`, and the names cur/new/tmp at the top).
    static func encodeLevel(_ level: String) -> String {
        var encoded = ModifiedUTF7.encode(level).replacingOccurrences(of: "/", with: "&AC8-")
        if encoded.isEmpty { encoded = "&-empty" }
        if encoded.hasPrefix(".") { encoded = "&AC4-" + encoded.dropFirst() }
        if ["cur", "new", "tmp"].contains(encoded) { encoded = "_" + encoded }
        return encoded
    }
}
