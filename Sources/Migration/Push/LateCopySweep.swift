import Foundation
import IMAPClient
import IMAPCore
import MailStore

/// Copies that land after mailferry looked for them. An APPEND whose link was cut after the
/// server had the whole literal may still be saved by the server's old session, a few
/// milliseconds or more after the reconnect found nothing and the message was sent again: two
/// copies, one of them recorded. A folder visit that re-sent pending messages ends by looking
/// for the unrecorded copy of each (same bytes, a UID at or above the UIDNEXT its SELECT saw)
/// and removes it, so the target ends with exactly one.
struct LateCopySweep {
    /// How long after the pending APPEND a late copy may still land; the sweep waits this out.
    static let landingWindow: TimeInterval = 1

    let client: any IMAPSession

    /// UIDs of byte-identical copies of `messages` at or above `fromUID` that are not in
    /// `recorded` (the UIDs this target's ledger holds for the folder).
    func lateCopies(
        of messages: [MessageRecord], maildir: MaildirFolder, recorded: Set<UInt32>, fromUID: UInt32
    ) async throws -> [UInt32] {
        guard !messages.isEmpty else { return [] }
        // UIDs first (a few bytes each), headers only of the unrecorded ones: the sweep stays
        // small enough to finish on a link that is cut every few tens of kilobytes.
        let bound = max(1, fromUID)
        let unrecordedUIDs = try await client.uidSearch("UID \(bound):*").filter {
            $0 >= bound && !recorded.contains($0)
        }
        guard !unrecordedUIDs.isEmpty else { return [] }
        let sink = HeaderIndexSink()
        try await client.uidFetch(
            [UIDSet(unrecordedUIDs)],
            items: ["UID", "RFC822.SIZE", "BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]"], changedSince: nil, into: sink)
        let unrecorded = sink.entries.filter { !recorded.contains($0.uid) }
        var suspects: [UInt32: Set<String>] = [:]
        for message in messages {
            var sizes: Set<Int> = [Int(message.size)]
            var hashes: Set<String> = [message.sha256]
            let file = maildir.storedPath(message.maildirFile)
            if let normalized = try? LineEndingIdentity.crlfNormalized(fileAtPath: file) {
                sizes.insert(normalized.size)
                hashes.insert(normalized.sha256)
            }
            for entry in unrecorded where entry.messageID == message.messageID && sizes.contains(entry.size) {
                suspects[entry.uid, default: []].formUnion(hashes)
            }
        }
        guard !suspects.isEmpty else { return [] }
        // Only the same bytes make a copy: the content decides, never the Message-ID alone.
        let hashing = BodyHashSink()
        try await client.uidFetch(
            [UIDSet(Array(suspects.keys))], items: ["UID", "BODY.PEEK[]"], changedSince: nil, into: hashing)
        return suspects.filter { uid, hashes in hashing.hashes[uid].map(hashes.contains) == true }.keys.sorted()
    }

    /// Flags the copies \Deleted and expunges exactly them (UIDPLUS UID EXPUNGE).
    func remove(_ uids: [UInt32]) async throws {
        guard !uids.isEmpty else { return }
        try await client.uidStore(UIDSet(uids), .add, flags: [.deleted], unchangedSince: nil)
        try await client.uidExpunge(UIDSet(uids))
    }
}
