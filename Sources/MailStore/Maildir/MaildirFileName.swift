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

    /// Parses a name this type produced; nil for any other file. Only the canonical spelling
    /// parses (no "+1", no leading zeros): recovery removes and renames by the re-formatted name.
    /// Byte by byte, because every run parses each stored file's name (20,000 in a medium
    /// mailbox), and Foundation's substring search made that a fifth of a no-op pass's CPU.
    public init?(parsing name: String) {
        var name = name
        guard
            let parsed = name.withUTF8({ bytes in
                var scanner = NameScanner(bytes: bytes)
                return scanner.scan()
            })
        else { return nil }
        self = parsed
    }

    /// Reads `<seconds>.M<uid>V<uidvalidity>.mailferry,S=<size>:2,<info>` left to right.
    private struct NameScanner {
        let bytes: UnsafeBufferPointer<UInt8>
        var at = 0

        init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

        mutating func scan() -> MaildirFileName? {
            let negative = take("-")
            guard let seconds = number(limit: UInt64(Int.max)), !(negative && seconds == 0), take(".M"),
                let uid = number(limit: UInt64(UInt32.max)), take("V"),
                let validity = number(limit: UInt64(UInt32.max)), take(".mailferry,S="),
                let size = number(limit: UInt64(Int.max)), take(":2,")
            else { return nil }
            return MaildirFileName(
                internalDateSeconds: negative ? -Int(seconds) : Int(seconds), uid: UInt32(uid),
                uidValidity: UInt32(validity), size: Int(size),
                info: String(decoding: UnsafeBufferPointer(rebasing: bytes[at...]), as: UTF8.self))
        }

        /// Decimal digits without a leading zero (other than "0" itself), at most `limit`.
        mutating func number(limit: UInt64) -> UInt64? {
            let start = at
            var value: UInt64 = 0
            while at < bytes.count, bytes[at] >= UInt8(ascii: "0"), bytes[at] <= UInt8(ascii: "9") {
                let digit = UInt64(bytes[at] - UInt8(ascii: "0"))
                guard value <= (limit - digit) / 10 else { return nil }
                value = value * 10 + digit
                at += 1
            }
            guard at > start, at - start == 1 || bytes[start] != UInt8(ascii: "0") else { return nil }
            return value
        }

        mutating func take(_ literal: StaticString) -> Bool {
            let count = literal.utf8CodeUnitCount
            guard bytes.count - at >= count else { return false }
            for offset in 0..<count where bytes[at + offset] != literal.utf8Start[offset] { return false }
            at += count
            return true
        }
    }

    public func withInfo(_ info: String) -> MaildirFileName {
        MaildirFileName(
            internalDateSeconds: internalDateSeconds, uid: uid, uidValidity: uidValidity, size: size, info: info)
    }
}
