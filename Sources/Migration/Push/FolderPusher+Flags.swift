import Foundation
import IMAPClient
import IMAPCore
import MailStore

extension FolderPusher {
    /// A folder's flag changes for the target: one UID STORE FLAGS per flag set, and the
    /// upload rows to record once they are sent.
    struct FlagPlan {
        var stores: [FlagStore] = []
        var changed: [UploadRecord] = []
        /// Flags already right on the target: only the bookkeeping moves forward.
        var unchanged: [UploadRecord] = []
        /// Changes made at the source (adopted messages had unknown flags: setting them is not one).
        var sourceChanges = 0
        var sent = false
    }

    /// Source flag changes reach the target with UID STORE FLAGS, one command per flag set.
    func planFlags(
        folder: FolderRecord, selected: SelectedMailbox, uidValidity: UInt32
    ) throws -> FlagPlan {
        var groups: [FlagList: [UploadRecord]] = [:]
        var unchanged: [UploadRecord] = []
        var adoptedWithUnknownFlags: Set<Int64> = []
        for (message, upload) in try ledger.flagSyncCandidates(targetID: target.id, folderID: folder.id) {
            guard upload.targetUID != nil, upload.targetUIDValidity == Int64(uidValidity) else { continue }
            var upload = upload
            if upload.flags == .unknown { adoptedWithUnknownFlags.insert(upload.messageRowID) }
            let desired = FlagList(message.flags.flags.filter { selected.canStore($0) })
            upload.flagsPassID = message.flagsPassID
            guard upload.flags != .known(desired) else {
                unchanged.append(upload)
                continue
            }
            upload.flags = .known(desired)
            groups[desired, default: []].append(upload)
        }
        // One STORE per flag set, all in one round trip.
        let ordered = Array(groups)
        let changed = ordered.flatMap(\.value)
        return FlagPlan(
            stores: ordered.map { desired, group in
                FlagStore(UIDSet(group.compactMap { $0.targetUID.map { UInt32($0) } }), .replace, flags: desired.flags)
            },
            changed: changed, unchanged: unchanged,
            sourceChanges: changed.filter { !adoptedWithUnknownFlags.contains($0.messageRowID) }.count)
    }
}
