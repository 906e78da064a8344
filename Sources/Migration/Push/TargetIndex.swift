import Foundation
import IMAPClient
import IMAPCore
import MailStore

/// What a target folder already holds, by UID: size and Message-ID, fetched once when the
/// target may have messages mailferry did not record (a crash mid-APPEND, a lost manifest,
/// another tool). Lets a push recognise them instead of appending duplicates.
struct TargetIndex {
    struct Entry { var uid: UInt32; var size: Int; var messageID: String? }

    private(set) var entries: [Entry] = []
    private var claimed: Set<UInt32>

    init(claimed: Set<UInt32>) { self.claimed = claimed }

    /// Every message of the folder, or only those above `above`: after a cut link the pending
    /// APPENDs that landed can only hold UIDs above every recorded one, and a reconnect every
    /// few hundred kilobytes must not re-read the whole folder each time.
    mutating func load(from client: any IMAPSession, above: UInt32? = nil) async throws {
        let sink = HeaderIndexSink()
        let range = above.map { UIDSet(ranges: [($0 == UInt32.max ? $0 : $0 + 1)...UInt32.max]) } ?? .all
        try await client.uidFetch(
            [range], items: ["UID", "RFC822.SIZE", "BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]"], into: sink)
        entries = sink.entries
    }

    /// The target UID holding `message`, claimed so no other message matches it: Message-ID
    /// and size (raw or CRLF-normalised) when unambiguous, else the content hash.
    mutating func match(_ message: MessageRecord, file: String, client: any IMAPSession) async throws -> UInt32? {
        let open = entries.filter { !claimed.contains($0.uid) && $0.messageID == message.messageID }
        guard !open.isEmpty else { return nil }
        var sizes: Set<Int> = [Int(message.size)]
        var hashes: Set<String> = [message.sha256]
        if !open.contains(where: { $0.size == Int(message.size) }) {
            let normalized = try LineEndingIdentity.crlfNormalized(fileAtPath: file)
            sizes.insert(normalized.size)
            hashes.insert(normalized.sha256)
        }
        let candidates = open.filter { sizes.contains($0.size) }
        guard !candidates.isEmpty else { return nil }
        if candidates.count == 1, message.messageID != nil {
            claimed.insert(candidates[0].uid)
            return candidates[0].uid
        }
        let hashing = BodyHashSink()
        try await client.uidFetch([UIDSet(candidates.map(\.uid))], items: ["UID", "BODY.PEEK[]"], into: hashing)
        // No candidate has the same bytes: it is another message, so it is uploaded.
        guard let hit = candidates.first(where: { hashing.hashes[$0.uid].map(hashes.contains) == true }) else {
            return nil
        }
        claimed.insert(hit.uid)
        return hit.uid
    }
}

/// Collects UID, size and the Message-ID header of every message (small header sections only).
final class HeaderIndexSink: FetchSink, @unchecked Sendable {
    var entries: [TargetIndex.Entry] = []
    private var scanner = MessageIDScanner()
    func beginBody(_ section: BodySection, size: Int, of message: FetchedMessage) throws {
        scanner = MessageIDScanner()
    }
    func appendBody(_ bytes: ArraySlice<UInt8>) throws { bytes.withUnsafeBytes { scanner.consume($0) } }
    func endBody() throws { scanner.consume(UnsafeRawBufferPointer(start: nil, count: 0)) }
    func finishMessage(_ message: FetchedMessage) throws {
        guard let uid = message.uid else { return }
        entries.append(
            TargetIndex.Entry(uid: uid, size: message.rfc822Size ?? -1, messageID: scanner.messageIDInHeaderFields))
    }
}

/// SHA-256 of whole fetched messages, by UID.
final class BodyHashSink: FetchSink, @unchecked Sendable {
    var hashes: [UInt32: String] = [:]
    private var hasher = SHA256Hasher()
    func beginBody(_ section: BodySection, size: Int, of message: FetchedMessage) throws { hasher = SHA256Hasher() }
    func appendBody(_ bytes: ArraySlice<UInt8>) throws { bytes.withUnsafeBytes { hasher.update($0) } }
    func endBody() throws {}
    func finishMessage(_ message: FetchedMessage) throws {
        if let uid = message.uid { hashes[uid] = hasher.finalizeHex() }
    }
}
