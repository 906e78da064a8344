import Foundation
import IMAPClient
import IMAPCore
import MailStore

extension FolderPusher {
    /// Pending messages are about to be sent again because the target did not show them: a
    /// cut session may still save its copy after that (see `LateCopySweep`). The debt is
    /// recorded before the re-send, so a visit cut in turn leaves it to the next one.
    func oweLateCopySweeps(_ resent: [MessageRecord], folderID: Int64, uidValidity: UInt32, fromUID: UInt32) throws {
        guard !resent.isEmpty else { return }
        let now = Date()
        try database.oweLateCopySweeps(
            resent.map {
                LateCopySweepRecord(
                    targetID: target.id, messageRowID: $0.id!, folderID: folderID,
                    targetUIDValidity: Int64(uidValidity), fromUID: Int64(fromUID), owedAt: now)
            })
    }

    /// Once the landing window after the last re-send has passed, an unrecorded copy with the
    /// same bytes as an owed message is removed and the debt cleared. Owed messages not yet
    /// recorded on the target keep their debt: which copy is theirs is not known yet.
    func sweepLateCopies(folderID: Int64, maildir: MaildirFolder, folder: String, uidValidity: UInt32) async throws {
        let owed = try database.owedLateCopySweeps(targetID: target.id, folderID: folderID)
        guard !owed.isEmpty else { return }
        let current = Int64(uidValidity)
        // A recreated target folder voids the bound; a refused message has no copy of ours to keep.
        let void = owed.filter { $0.owed.targetUIDValidity != current || $0.upload?.state == .skipped }
        let due = owed.filter {
            $0.owed.targetUIDValidity == current && $0.upload?.state == .uploaded
                && $0.upload?.targetUIDValidity == current
        }
        try database.settleLateCopySweeps(targetID: target.id, messageRowIDs: void.map(\.owed.messageRowID))
        guard !due.isEmpty else { return }
        guard await client.capabilities.contains(.uidPlus) else {
            logger.warning(
                "\(folder): \(due.count) message(s) were sent again after a cut link; without UIDPLUS a late copy from the cut session could not be removed safely"
            )
            try database.settleLateCopySweeps(targetID: target.id, messageRowIDs: due.map(\.owed.messageRowID))
            return
        }
        let lastResent = due.map(\.owed.owedAt).max() ?? .distantPast
        let wait = lastResent.addingTimeInterval(LateCopySweep.landingWindow).timeIntervalSinceNow
        if wait > 0 { try await control.stop.sleep(seconds: wait) }
        let sweep = LateCopySweep(client: client)
        let recorded = try ledger.uploadedTargetUIDs(targetID: target.id, folderID: folderID, uidValidity: current)
        let fromUID = UInt32(clamping: due.map(\.owed.fromUID).min() ?? 1)
        let copies = try await sweep.lateCopies(
            of: due.map(\.message), maildir: maildir, recorded: recorded, fromUID: fromUID)
        try await sweep.remove(copies)
        try database.settleLateCopySweeps(targetID: target.id, messageRowIDs: due.map(\.owed.messageRowID))
        guard !copies.isEmpty else { return }
        logger.warning(
            "\(folder): removed \(copies.count) late cop\(copies.count == 1 ? "y" : "ies") (UID \(UIDSet(copies))) that a cut session saved after the message was sent again"
        )
    }
}
