import Foundation

/// `UploadLedger` in memory: the same rules as the SQLite tables, for unit tests of the code
/// that keeps uploads exactly-once. The contract tests run both against one table of cases.
public final class InMemoryUploadLedger: UploadLedger, @unchecked Sendable {
    private let lock = NSLock()
    private var messages: [Int64: MessageRecord] = [:]
    private var uploads: [Int64: UploadRecord] = [:]
    private var nextUploadID: Int64 = 1
    private var nextMessageID: Int64 = 1

    public init() {}

    /// Adds or replaces a message row, as a pull would; returns it with its id.
    @discardableResult
    public func put(_ message: MessageRecord) -> MessageRecord {
        locked {
            var message = message
            if message.id == nil {
                message.id = nextMessageID
                nextMessageID += 1
            }
            messages[message.id!] = message
            return message
        }
    }

    public func pushCandidates(
        targetID: Int64, folderID: Int64
    ) throws -> [(message: MessageRecord, upload: UploadRecord?)] {
        locked {
            folderMessages(folderID).filter { $0.sourceState == .present }.compactMap { message in
                let upload = upload(of: message, targetID: targetID)
                guard upload == nil || upload?.state == .pending else { return nil }
                return (message, upload)
            }
        }
    }

    public func markPending(_ records: [UploadRecord]) throws -> [UploadRecord] {
        locked {
            records.map { record in
                var record = record
                record.state = .pending
                record.updatedAt = Date()
                record.id = existing(record)?.id ?? record.id ?? newUploadID()
                uploads[record.id!] = record
                return record
            }
        }
    }

    public func saveUploads(_ records: [UploadRecord]) throws {
        locked {
            for var record in records {
                record.updatedAt = Date()
                record.id = existing(record)?.id ?? record.id ?? newUploadID()
                uploads[record.id!] = record
            }
        }
    }

    public func deleteUploads(ids: [Int64]) throws {
        locked { for id in ids { uploads[id] = nil } }
    }

    public func forgetUploads(targetID: Int64, folderID: Int64) throws {
        locked {
            let ids = Set(folderMessages(folderID).compactMap(\.id))
            uploads = uploads.filter { _, upload in
                !(upload.targetID == targetID && upload.state != .skipped && ids.contains(upload.messageRowID))
            }
        }
    }

    public func uploadedTargetUIDs(targetID: Int64, folderID: Int64, uidValidity: Int64) throws -> Set<UInt32> {
        locked {
            Set(
                uploaded(targetID: targetID, folderID: folderID, uidValidity: uidValidity).compactMap {
                    $0.targetUID.map { UInt32(truncatingIfNeeded: $0) }
                })
        }
    }

    public func uploadedCount(targetID: Int64, folderID: Int64, uidValidity: Int64) throws -> Int {
        locked { uploaded(targetID: targetID, folderID: folderID, uidValidity: uidValidity).count }
    }

    public func flagSyncCandidates(
        targetID: Int64, folderID: Int64
    ) throws -> [(message: MessageRecord, upload: UploadRecord)] {
        locked { pairs(targetID: targetID, folderID: folderID) { $1.state == .uploaded && Self.flagsChanged($0, $1) } }
    }

    public func goneUploads(targetID: Int64, folderID: Int64) throws -> [(message: MessageRecord, upload: UploadRecord)]
    {
        locked { pairs(targetID: targetID, folderID: folderID) { $1.state == .uploaded && $0.sourceState == .gone } }
    }

    public func folderNeedsPush(targetID: Int64, folderID: Int64, propagateDeletes: Bool) throws -> Bool {
        locked {
            folderMessages(folderID).contains { message in
                let upload = upload(of: message, targetID: targetID)
                if message.sourceState == .present && (upload == nil || upload?.state == .pending) { return true }
                guard let upload, upload.state == .uploaded else { return false }
                return Self.flagsChanged(message, upload) || (propagateDeletes && message.sourceState == .gone)
            }
        }
    }

    public func uploadCounts(targetID: Int64) throws -> (uploaded: Int, skipped: Int, pending: Int) {
        locked {
            let mine = uploads.values.filter { $0.targetID == targetID }
            return (
                mine.filter { $0.state == .uploaded }.count, mine.filter { $0.state == .skipped }.count,
                mine.filter { $0.state == .pending }.count
            )
        }
    }

    private static func flagsChanged(_ message: MessageRecord, _ upload: UploadRecord) -> Bool {
        upload.flagsPassID.map { message.flagsPassID > $0 } ?? true
    }

    private func folderMessages(_ folderID: Int64) -> [MessageRecord] {
        messages.values.filter { $0.folderID == folderID }.sorted {
            ($0.uidValidity, $0.uid) < ($1.uidValidity, $1.uid)
        }
    }

    private func upload(of message: MessageRecord, targetID: Int64) -> UploadRecord? {
        uploads.values.first { $0.messageRowID == message.id && $0.targetID == targetID }
    }

    private func existing(_ record: UploadRecord) -> UploadRecord? {
        uploads.values.first { $0.messageRowID == record.messageRowID && $0.targetID == record.targetID }
    }

    private func uploaded(targetID: Int64, folderID: Int64, uidValidity: Int64) -> [UploadRecord] {
        let ids = Set(folderMessages(folderID).compactMap(\.id))
        return uploads.values.filter {
            $0.targetID == targetID && ids.contains($0.messageRowID) && $0.state == .uploaded
                && $0.targetUIDValidity == uidValidity
        }
    }

    private func pairs(
        targetID: Int64, folderID: Int64,
        _ matches: (MessageRecord, UploadRecord) -> Bool
    ) -> [(message: MessageRecord, upload: UploadRecord)] {
        folderMessages(folderID).compactMap { message in
            guard let upload = upload(of: message, targetID: targetID), matches(message, upload) else { return nil }
            return (message, upload)
        }
    }

    private func newUploadID() -> Int64 {
        defer { nextUploadID += 1 }
        return nextUploadID
    }

    private func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock(); defer { lock.unlock() }
        return try body()
    }
}
