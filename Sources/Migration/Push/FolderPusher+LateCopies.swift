import Foundation
import IMAPClient
import IMAPCore
import MailStore

extension FolderPusher {
    /// Pending messages were sent again because the target did not show them: a cut session
    /// may still save its copy after that (see `LateCopySweep`). Once that window has passed,
    /// an unrecorded copy with the same bytes is removed.
    func removeLateCopies(
        _ resent: [(message: MessageRecord, upload: UploadRecord?)], folderID: Int64, maildir: MaildirFolder,
        folder: String, selected: SelectedMailbox, uidValidity: UInt32
    ) async throws {
        guard await client.capabilities.contains(.uidPlus) else {
            logger.warning(
                "\(folder): \(resent.count) message(s) were sent again after a cut link; without UIDPLUS a late copy from the cut session could not be removed safely"
            )
            return
        }
        let lastPending = resent.compactMap { $0.upload?.updatedAt }.max() ?? .distantPast
        let wait = lastPending.addingTimeInterval(LateCopySweep.landingWindow).timeIntervalSinceNow
        if wait > 0 { try await control.stop.sleep(seconds: wait) }
        let sweep = LateCopySweep(client: client)
        let recorded = try ledger.uploadedTargetUIDs(
            targetID: target.id, folderID: folderID, uidValidity: Int64(uidValidity))
        let copies = try await sweep.lateCopies(
            of: resent.map(\.message), maildir: maildir, recorded: recorded, fromUID: selected.uidNext ?? 1)
        guard !copies.isEmpty else { return }
        try await sweep.remove(copies)
        logger.warning(
            "\(folder): removed \(copies.count) late cop\(copies.count == 1 ? "y" : "ies") (UID \(UIDSet(copies))) that a cut session saved after the message was sent again"
        )
    }
}
