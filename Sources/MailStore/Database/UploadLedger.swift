/// The exactly-once bookkeeping of a job's uploads: which messages still need an APPEND, which
/// are pending (intent recorded, outcome unknown: look on the target first), what is on the
/// target with which UID and flags. `StateDatabase` keeps it in SQLite; `InMemoryUploadLedger`
/// keeps the same rules in memory for fast tests of the engine's logic.
public protocol UploadLedger: Sendable {
    /// Present messages never uploaded to the target, or left pending by a crash, with their
    /// pending upload row; in (UIDVALIDITY, UID) order.
    func pushCandidates(targetID: Int64, folderID: Int64) throws -> [(message: MessageRecord, upload: UploadRecord?)]
    /// Records intent before the APPENDs (state pending); returns the rows with their ids.
    func markPending(_ records: [UploadRecord]) throws -> [UploadRecord]
    /// Records outcomes: uploaded with the target UID, skipped with the reason.
    func saveUploads(_ records: [UploadRecord]) throws
    /// Forgets uploads (the APPEND never happened).
    func deleteUploads(ids: [Int64]) throws
    /// Drops what is recorded about a folder's messages on a target but the skips (the target
    /// folder was recreated: its UIDs are void).
    func forgetUploads(targetID: Int64, folderID: Int64) throws
    /// Target UIDs recorded for a folder's uploaded messages in one target UIDVALIDITY.
    func uploadedTargetUIDs(targetID: Int64, folderID: Int64, uidValidity: Int64) throws -> Set<UInt32>
    func uploadedCount(targetID: Int64, folderID: Int64, uidValidity: Int64) throws -> Int
    /// Uploaded messages whose flags changed since they were last set on the target.
    func flagSyncCandidates(targetID: Int64, folderID: Int64) throws -> [(message: MessageRecord, upload: UploadRecord)]
    /// Uploaded messages deleted at the source since.
    func goneUploads(targetID: Int64, folderID: Int64) throws -> [(message: MessageRecord, upload: UploadRecord)]
    /// Anything at all to do for the folder: a candidate, a flag change, (with propagation) a deletion.
    func folderNeedsPush(targetID: Int64, folderID: Int64, propagateDeletes: Bool) throws -> Bool
    func uploadCounts(targetID: Int64) throws -> (uploaded: Int, skipped: Int, pending: Int)
}

extension StateDatabase: UploadLedger {}
