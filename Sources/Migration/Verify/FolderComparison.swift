import Foundation
import IMAPClient
import IMAPCore
import MailStore

/// Matches one folder's expected messages to the target's and counts the differences.
struct FolderComparison {
    private(set) var line: VerifyReport.FolderLine
    private(set) var problems: [VerifyReport.Problem] = []
    private(set) var skipped: [VerifyReport.Problem] = []
    /// Unmatched target messages that are copies of a matched one.
    private(set) var duplicates: [VerifyReport.Problem] = []
    private var byUID: [UInt32: MessageView]
    private var claimed: Set<UInt32> = []
    private let selected: SelectedMailbox
    private let deep: Bool

    init(folder: String, target: String, targetViews: [MessageView], selected: SelectedMailbox, deep: Bool) {
        line = VerifyReport.FolderLine(source: folder, target: target)
        byUID = Dictionary(targetViews.map { ($0.uid, $0) }, uniquingKeysWith: { a, _ in a })
        self.selected = selected
        self.deep = deep
    }

    /// The target has no such folder: a difference even when the source folder is empty.
    mutating func markTargetFolderMissing() {
        line.targetFolderMissing = true
        problems.append(
            .init(
                folder: line.source, uid: nil, messageID: nil,
                what: "folder \"\(line.target)\" does not exist on the target"))
    }

    /// Store side: each recorded message against its recorded target UID (or its identity).
    mutating func compare(
        store messages: [MessageRecord], uploads: [Int64: UploadRecord], maildir: MaildirFolder
    ) throws {
        for message in messages {
            let upload = uploads[message.id!]
            if upload?.state == .skipped {
                line.skipped += 1
                skipped.append(
                    .init(
                        folder: line.source, uid: message.uid, messageID: message.messageID,
                        what: upload?.reason ?? "skipped"))
                continue
            }
            line.expected += 1
            let file = maildir.storedPath(message.maildirFile)
            var sizes: Set<Int> = [Int(message.size)], hashes: Set<String> = [message.sha256]
            var view = upload?.targetUID.flatMap { uid in
                upload?.targetUIDValidity == selected.uidValidity.map(Int64.init) ? byUID[UInt32(uid)] : nil
            }
            if view == nil || !sizes.contains(view!.size) {
                let normalized = try LineEndingIdentity.crlfNormalized(fileAtPath: file)
                sizes.insert(normalized.size); hashes.insert(normalized.sha256)
            }
            if view == nil { view = findByIdentity(messageID: message.messageID, sizes: sizes) }
            let expectedFlags = Set(
                message.flags.flags.filter { selected.canStore($0) }.map(
                    \.name))
            check(
                view, uid: message.uid, messageID: message.messageID, sizes: sizes, hashes: deep ? hashes : nil,
                flags: expectedFlags, dateSeconds: InternalDate(message.internalDate)?.secondsSince1970)
        }
        countExtras()
    }

    /// Source side: every live source message matched on the target by identity.
    mutating func compare(sourceViews: [MessageView]) {
        for source in sourceViews {
            line.expected += 1
            let view = findByIdentity(messageID: source.messageID, sizes: [source.size], sha: source.sha256)
            let flags = Set(source.flags.map { Flag($0) }.filter { selected.canStore($0) }.map(\.name))
            check(
                view, uid: Int64(source.uid), messageID: source.messageID, sizes: [source.size],
                hashes: source.sha256.map { [$0] }, flags: flags, dateSeconds: source.dateSeconds)
        }
        countExtras()
    }

    /// Extras are the target's own mail, not a failure; among them, a second copy of a matched
    /// message (same Message-ID and size, and the same hash when hashed) is reported apart:
    /// a duplicate the admin should hear of, whoever made it.
    private mutating func countExtras() {
        line.extra = byUID.count - claimed.count
        var matched: [String: [MessageView]] = [:]
        for uid in claimed {
            if let view = byUID[uid], let id = view.messageID { matched[id, default: []].append(view) }
        }
        for view in byUID.values.sorted(by: { $0.uid < $1.uid }) where !claimed.contains(view.uid) {
            guard let id = view.messageID,
                let original = matched[id]?.first(where: {
                    $0.size == view.size && ($0.sha256 == nil || view.sha256 == nil || $0.sha256 == view.sha256)
                })
            else { continue }
            line.duplicates += 1
            duplicates.append(
                .init(
                    folder: line.source, uid: Int64(view.uid), messageID: id,
                    what: "a second copy of target UID \(original.uid)"))
        }
    }

    private mutating func findByIdentity(messageID: String?, sizes: Set<Int>, sha: String? = nil) -> MessageView? {
        let hit = byUID.values.filter {
            !claimed.contains($0.uid) && $0.messageID == messageID && sizes.contains($0.size)
        }
        .sorted { $0.uid < $1.uid }
        .first { sha == nil || $0.sha256 == nil || $0.sha256 == sha }
        return hit
    }

    private mutating func check(
        _ view: MessageView?, uid: Int64, messageID: String?, sizes: Set<Int>, hashes: Set<String>?,
        flags: Set<String>, dateSeconds: Int?
    ) {
        guard let view, !claimed.contains(view.uid) else {
            line.missing += 1
            problems.append(.init(folder: line.source, uid: uid, messageID: messageID, what: "missing on the target"))
            return
        }
        claimed.insert(view.uid)
        line.found += 1
        if !sizes.contains(view.size) || (hashes != nil && view.sha256.map { !hashes!.contains($0) } == true) {
            line.contentMismatches += 1
            problems.append(
                .init(
                    folder: line.source, uid: uid, messageID: messageID,
                    what: "content differs (target UID \(view.uid))"))
        }
        if view.flags != flags {
            line.flagMismatches += 1
            problems.append(
                .init(
                    folder: line.source, uid: uid, messageID: messageID,
                    what:
                        "flags differ: expected (\(flags.sorted().joined(separator: " "))), target (\(view.flags.sorted().joined(separator: " ")))"
                ))
        }
        if let dateSeconds, view.dateSeconds != dateSeconds {
            line.dateMismatches += 1
            problems.append(.init(folder: line.source, uid: uid, messageID: messageID, what: "INTERNALDATE differs"))
        }
    }
}
