/// mailferry's Maildir file names: `<INTERNALDATE seconds>.M<uid>V<uidvalidity>.mailferry,S=<size>:2,<info>`.
///
/// Unique per folder generation, readable by any Maildir tool, and carrying the UID so a
/// resumed run can tell its own files apart. `,S=` lets Dovecot skip a stat for the size.
public struct MaildirFileName: Hashable, Sendable {
    public let internalDateSeconds: Int
    public let uid: UInt32
    public let uidValidity: UInt32
    public let size: Int
    public let info: String

    public init(internalDateSeconds: Int, uid: UInt32, uidValidity: UInt32, size: Int, info: String) {
        self.internalDateSeconds = internalDateSeconds; self.uid = uid; self.uidValidity = uidValidity
        self.size = size; self.info = info
    }

    /// The name without the `:2,` info, stable across flag changes.
    public var base: String { "\(internalDateSeconds).M\(uid)V\(uidValidity).mailferry,S=\(size)" }
    public var fileName: String { base + ":2," + info }

    /// Parses a name this type produced; nil for any other file.
    public init?(parsing name: String) {
        guard let colon = name.range(of: ":2,") else { return nil }
        let base = name[..<colon.lowerBound]
        let parts = base.split(separator: ".", maxSplits: 2)
        guard parts.count == 3, parts[2].hasPrefix("mailferry,S="), let seconds = Int(parts[0]),
            parts[1].hasPrefix("M"), let vIndex = parts[1].firstIndex(of: "V"),
            let uid = UInt32(parts[1][parts[1].index(after: parts[1].startIndex)..<vIndex]),
            let validity = UInt32(parts[1][parts[1].index(after: vIndex)...]),
            let size = Int(parts[2].dropFirst("mailferry,S=".count))
        else { return nil }
        self.init(
            internalDateSeconds: seconds, uid: uid, uidValidity: validity, size: size,
            info: String(name[colon.upperBound...]))
        // Only the canonical spelling (no "+1", no leading zeros): recovery acts on this exact name.
        guard fileName == name else { return nil }
    }

    public func withInfo(_ info: String) -> MaildirFileName {
        MaildirFileName(
            internalDateSeconds: internalDateSeconds, uid: uid, uidValidity: uidValidity, size: size, info: info)
    }
}
