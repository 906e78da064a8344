import MailStore

/// Which entries an archive holds, in constant memory: their count and the wrapping sum of a
/// 128-bit SHA-256 prefix of each entry path. Two sets with the same count and sums hold the
/// same paths (a mismatch that cancels out would need a SHA-256 collision in practice), and
/// the order of insertion does not matter.
struct ArchiveEntrySet: Equatable, Sendable {
    private(set) var count = 0
    private var high: UInt64 = 0
    private var low: UInt64 = 0

    mutating func insert(_ entryPath: String) {
        let hasher = SHA256Hasher()
        hasher.update(Array(entryPath.utf8))
        let hex = hasher.finalizeHex()
        count += 1
        high &+= UInt64(hex.prefix(16), radix: 16)!
        low &+= UInt64(hex.dropFirst(16).prefix(16), radix: 16)!
    }
}
