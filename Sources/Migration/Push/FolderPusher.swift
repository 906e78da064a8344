import Foundation
import IMAPClient
import IMAPCore
import Logging
import MailStore

/// Uploads one source folder to its target folder exactly once: pending recorded before each
/// APPEND, the UID recorded after its OK, anything uncertain looked up on the target first.
struct FolderPusher {
    let client: any IMAPSession
    let context: JobContext
    let target: TargetRecord
    let options: PushOptions
    let progress: TransferProgress
    let issues: IssueLog
    let control: JobControl
    /// False while following a pull: a folder is then visited several times, counted once later.
    var countsFolder = true
    /// Awaited between SELECT and reading what to upload (while following a pull: the folder's
    /// first commit, when it was taken before there was one).
    var afterSelect: (@Sendable () async throws -> Void)?
    /// The target folder this connection visits next, claimed now (nil when none is ready): it
    /// is selected at the end of this visit's last flight.
    var nextTarget: (@Sendable () async -> String?)?

    var database: StateDatabase { context.database }
    /// The exactly-once bookkeeping, through its protocol (SQLite here, memory in unit tests).
    var ledger: UploadLedger { context.database }
    var logger: Logger { context.logger }
    private var host: String { options.target.endpoint.host }

    func push(_ folder: FolderRecord, to targetName: String) async throws -> PushSummary.FolderResult {
        var result = PushSummary.FolderResult(
            source: folder.name, target: targetName, uploaded: 0, adopted: 0, skipped: 0, flagUpdates: 0, deleted: 0)
        let mailbox = MailboxName(targetName)
        try control.stop.check()
        if countsFolder { control.events.emit(.push, .folderStarted(folder: folder.name)) }
        let selected = try await client.select(mailbox)
        guard let uidValidity = selected.uidValidity else {
            throw IMAPError.protocolViolation(host: host, detail: "no UIDVALIDITY for target folder \(targetName)")
        }
        try await afterSelect?()
        let recorded = try database.targetFolder(targetID: target.id, sourceFolderID: folder.id)
        var mapping = recorded ?? TargetFolderRecord(targetID: target.id, sourceFolderID: folder.id, name: targetName)
        if let known = mapping.uidValidity, known != Int64(uidValidity) || mapping.name != targetName {
            // The target folder was recreated or remapped: recorded UIDs are void; re-match by identity.
            logger.warning("\(targetName): target UIDVALIDITY changed; re-checking which messages it holds")
            try ledger.forgetUploads(targetID: target.id, folderID: folder.id)
        }
        mapping.uidValidity = Int64(uidValidity)
        mapping.name = targetName
        if mapping != recorded { try database.saveTargetFolder(&mapping) }

        let maildir = MaildirFolder(root: context.layout.maildir, relativePath: folder.maildirPath)
        let candidates = try ledger.pushCandidates(targetID: target.id, folderID: folder.id)
        progress.update { $0.messagesPlanned += candidates.count }
        var queue = candidates.map(\.message)
        if !candidates.isEmpty {
            let hasPending = candidates.contains { $0.upload != nil }
            let recordedCount = try ledger.uploadedCount(
                targetID: target.id, folderID: folder.id, uidValidity: Int64(uidValidity))
            let pendingCount = candidates.count { $0.upload != nil }
            if hasPending || selected.exists > recordedCount {
                // Nothing unrecorded but what may have landed of the pending: look above the recorded UIDs only.
                let onlyPendingUnknown = selected.exists <= recordedCount + pendingCount
                (queue, result.adopted) = try await adoptExisting(
                    candidates, folderID: folder.id, maildir: maildir,
                    folder: targetName, uidValidity: uidValidity, recordedCount: recordedCount,
                    onlyPendingUnknown: onlyPendingUnknown)
            }
        }
        let queued = Set(queue.compactMap(\.id))
        let resent = candidates.filter { $0.upload?.state == .pending && queued.contains($0.message.id!) }
        try oweLateCopySweeps(
            resent.map(\.message), folderID: folder.id, uidValidity: uidValidity, fromUID: selected.uidNext ?? 1)
        // Nothing after the uploads and flag changes needs this folder selected: the next
        // folder's SELECT can ride on their last flight.
        let selectsNextLast =
            try !options.propagateDeletes && !database.owesLateCopySweep(targetID: target.id, folderID: folder.id)
        let selectNext: @Sendable () async -> MailboxName? = { [nextTarget] in
            guard selectsNextLast, let next = await nextTarget?() else { return nil }
            return MailboxName(next)
        }
        // Flag changes of messages already there go out with the first APPENDs: no round trip
        // of their own. Messages appended now carry their flags and are not among them.
        var flags = try planFlags(folder: folder, selected: selected, uidValidity: uidValidity)
        (result.uploaded, result.skipped, result.bytes) = try await upload(
            queue, maildir: maildir, mailbox: mailbox, selected: selected,
            folderName: folder.name, flags: &flags, selectNext: selectNext)
        try await sweepLateCopies(folderID: folder.id, maildir: maildir, folder: targetName, uidValidity: uidValidity)
        if !flags.sent && !flags.stores.isEmpty {
            try await client.uidStores(flags.stores, thenSelect: await selectNext())
        }
        try ledger.saveUploads(flags.changed + flags.unchanged)
        result.flagUpdates = flags.sourceChanges
        if options.propagateDeletes {
            result.deleted = try await propagateDeletes(folder: folder, uidValidity: uidValidity)
        }
        if countsFolder {
            progress.update { $0.foldersDone += 1 }
            control.events.emit(
                .push,
                .folderFinished(
                    .init(
                        folder: folder.name, messages: result.uploaded, bytes: result.bytes,
                        flagUpdates: result.flagUpdates, skipped: result.skipped)))
        }
        return result
    }

    /// Messages the target already has (uploaded before a crash, or by another tool) are
    /// recorded instead of appended again.
    private func adoptExisting(
        _ candidates: [(message: MessageRecord, upload: UploadRecord?)], folderID: Int64, maildir: MaildirFolder,
        folder: String, uidValidity: UInt32, recordedCount: Int, onlyPendingUnknown: Bool
    ) async throws -> ([MessageRecord], Int) {
        let claimed = try ledger.uploadedTargetUIDs(
            targetID: target.id, folderID: folderID, uidValidity: Int64(uidValidity))
        var index = TargetIndex(claimed: claimed)
        // Recorded rows without a UID (no UIDPLUS) leave no bound: then the whole folder is read.
        let above = onlyPendingUnknown && claimed.count == recordedCount ? claimed.max() ?? 0 : nil
        try await index.load(from: client, above: above)
        var remaining: [MessageRecord] = []
        var adopted: [UploadRecord] = []
        var dropped: [Int64] = []
        for (message, upload) in candidates {
            let found: UInt32?
            do {
                found = try await index.match(message, file: maildir.storedPath(message.maildirFile), client: client)
            } catch {
                // The link broke while matching: what was recognised so far is kept, the rest looked up again.
                try ledger.saveUploads(adopted)
                progress.update {
                    $0.messagesDone += adopted.count
                    $0.messagesRecorded += adopted.count
                }
                throw error
            }
            if let uid = found {
                context.uploadBacklog.settled(maildir.storedPath(message.maildirFile))
                var record =
                    upload
                    ?? UploadRecord(
                        messageRowID: message.id!, targetID: target.id, state: .uploaded, targetFolder: folder,
                        flags: .known(FlagList([])))
                record.state = .uploaded
                record.targetFolder = folder
                record.targetUIDValidity = Int64(uidValidity)
                record.targetUID = Int64(uid)
                record.flags = .unknown  // the flag pass below sets them
                adopted.append(record)
            } else {
                if let id = upload?.id { dropped.append(id) }
                remaining.append(message)
            }
        }
        try ledger.saveUploads(adopted)
        try ledger.deleteUploads(ids: dropped)
        if !adopted.isEmpty {
            logger.info("\(folder): \(adopted.count) messages were already on the target; not appended again")
        }
        // Adopted rows are recorded progress: a link cut after the server said OK still moves the job on.
        progress.update {
            $0.messagesDone += adopted.count
            $0.messagesRecorded += adopted.count
        }
        return (remaining, adopted.count)
    }

    private func upload(
        _ queue: [MessageRecord], maildir: MaildirFolder, mailbox: MailboxName, selected: SelectedMailbox,
        folderName: String, flags: inout FlagPlan, selectNext: @Sendable () async -> MailboxName?
    ) async throws -> (uploaded: Int, skipped: Int, bytes: Int64) {
        var uploaded = 0, skipped = 0, bytes: Int64 = 0
        var reportedKeywords: Set<String> = []
        let progress = self.progress
        var queue = queue
        if let limit = await client.capabilities.appendLimit {
            // Never stream a body the server announced it will refuse.
            let tooBig = queue.filter { $0.size > Int64(limit) }
            queue.removeAll { $0.size > Int64(limit) }
            var records: [UploadRecord] = []
            for message in tooBig {
                context.uploadBacklog.settled(maildir.storedPath(message.maildirFile))
                var record = UploadRecord(
                    messageRowID: message.id!, targetID: target.id, state: .skipped, targetFolder: mailbox.description,
                    flags: .known(FlagList([])))
                record.reason = "\(message.size) bytes exceed the target's APPENDLIMIT of \(limit)"
                try self.record(
                    issue: record.reason!, folder: folderName, uid: message.uid, scope: .message, skipped: true)
                records.append(record)
            }
            try ledger.saveUploads(records)
            skipped += tooBig.count
        }
        for start in stride(from: 0, to: queue.count, by: options.batchSize) {
            // Between batches nothing is pending: the place to stop.
            try control.stop.check()
            let batch = Array(queue[start..<min(start + options.batchSize, queue.count)])
            var requests: [AppendRequest] = []
            var records: [UploadRecord] = []
            for message in batch {
                let flags = message.flags.flags
                let kept = flags.filter { selected.canStore($0) }
                for dropped in flags
                where !kept.contains(dropped) && dropped != .recent && !reportedKeywords.contains(dropped.name) {
                    reportedKeywords.insert(dropped.name)
                    try record(
                        issue: "the target does not store the keyword \(dropped.name); it is dropped",
                        folder: folderName, uid: message.uid, scope: .message,
                        skipped: false)
                }
                requests.append(
                    AppendRequest(
                        body: .file(path: maildir.storedPath(message.maildirFile)), size: Int(message.size),
                        flags: kept, internalDate: InternalDate(message.internalDate)))
                var upload = UploadRecord(
                    messageRowID: message.id!, targetID: target.id, state: .pending,
                    targetFolder: mailbox.description, flags: .known(FlagList(kept)))
                upload.flagsPassID = message.flagsPassID
                records.append(upload)
            }
            records = try ledger.markPending(records)
            let confirmed = ConfirmedAppends()
            let stores = flags.sent ? [] : flags.stores
            flags.sent = true
            let next = start + options.batchSize >= queue.count ? await selectNext() : nil
            func send(
                _ requests: [AppendRequest], _ confirmed: ConfirmedAppends?, stores: [FlagStore] = [],
                thenSelect next: MailboxName? = nil
            ) async throws -> [AppendOutcome] {
                var onOutcome: (@Sendable (Int, AppendOutcome) -> Void)?
                if let confirmed { onOutcome = { index, outcome in confirmed.add(index, outcome) } }
                return try await client.append(
                    requests, to: mailbox, multiAppendBatchSize: 1, storesFirst: stores, thenSelect: next,
                    onBodyBytes: { count in
                        progress.update { $0.bytesDone += Int64(count) }
                        FaultInjection.reach(.midLiteral)
                    }, onOutcome: onOutcome)
            }
            var outcomes: [AppendOutcome]
            do {
                outcomes = try await send(requests, confirmed, stores: stores, thenSelect: next)
            } catch let error as IMAPError {
                // The link broke mid-batch: what the server confirmed is recorded now, so a link
                // cut every few hundred kilobytes still moves the job on; the rest stays pending.
                try saveConfirmed(
                    confirmed.appended, records: records, batch: batch, selected: selected, folderName: folderName,
                    uploaded: &uploaded, bytes: &bytes)
                for index in confirmed.appended.keys where index < requests.count {
                    if case .file(let path) = requests[index].body { context.uploadBacklog.settled(path) }
                }
                throw error
            }
            if outcomes.contains(where: {
                if case .refused(let r) = $0 { return r.code == .tryCreate } else { return false }
            }) {
                // The folder vanished since it was selected: create it and send those again.
                logger.warning("\(mailbox): the target says TRYCREATE; creating the folder and retrying")
                try await client.create(mailbox)
                try? await client.subscribe(mailbox)
                let retry = outcomes.indices.filter {
                    if case .refused(let r) = outcomes[$0] { return r.code == .tryCreate } else { return false }
                }
                let again = try await send(retry.map { requests[$0] }, nil)
                for (index, outcome) in zip(retry, again) { outcomes[index] = outcome }
            }
            if let busy = outcomes.lazy.compactMap({ outcome -> TaggedResponse? in
                if case .refused(let r) = outcome, r.code == .unavailable { return r } else { return nil }
            }).first {
                // Throttling: leave these pending (looked up before any re-APPEND) and retry the
                // folder after a back-off.
                try saveOutcomes(
                    records: &records, outcomes: outcomes, batch: batch, selected: selected, folderName: folderName,
                    uploaded: &uploaded, skipped: &skipped, bytes: &bytes, keepPendingWhere: { $0.code == .unavailable }
                )
                throw IMAPError.commandFailed(
                    host: host, command: "APPEND", mailbox: mailbox.description, response: busy)
            }
            let overQuota = try saveOutcomes(
                records: &records, outcomes: outcomes, batch: batch, selected: selected, folderName: folderName,
                uploaded: &uploaded, skipped: &skipped, bytes: &bytes, keepPendingWhere: { _ in false })
            for request in requests {
                if case .file(let path) = request.body {
                    context.maildirReads.finishedReading(path)
                    context.uploadBacklog.settled(path)
                }
            }
            FaultInjection.reach(.afterAppend)
            await FaultInjection.pace()
            if let overQuota {
                throw TargetOverQuota(host: host, folder: mailbox.description, serverText: overQuota.text)
            }
        }
        return (uploaded, skipped, bytes)
    }

    /// Records the APPENDs the server confirmed before a broken link, in one transaction.
    private func saveConfirmed(
        _ appended: [Int: (uidValidity: UInt32?, uid: UInt32?)], records: [UploadRecord], batch: [MessageRecord],
        selected: SelectedMailbox, folderName: String, uploaded: inout Int, bytes: inout Int64
    ) throws {
        guard !appended.isEmpty else { return }
        var done: [UploadRecord] = []
        var doneBytes: Int64 = 0
        for (index, answer) in appended.sorted(by: { $0.key < $1.key }) where index < records.count {
            var record = records[index]
            record.state = .uploaded
            record.targetUIDValidity = answer.uidValidity.map(Int64.init) ?? Int64(selected.uidValidity ?? 0)
            record.targetUID = answer.uid.map(Int64.init)
            done.append(record)
            doneBytes += batch[index].size
        }
        try ledger.saveUploads(done)
        uploaded += done.count
        bytes += doneBytes
        control.events.emit(.push, .messagesMoved(folder: folderName, messages: done.count, bytes: doneBytes))
        progress.update {
            $0.messagesDone += done.count
            $0.messagesRecorded += done.count
        }
    }

    /// Records a batch's outcomes in one transaction: uploaded with the target UID, skipped with
    /// the target's reason; over-quota refusals are forgotten (nothing was stored) and returned.
    private func saveOutcomes(
        records: inout [UploadRecord], outcomes: [AppendOutcome], batch: [MessageRecord], selected: SelectedMailbox,
        folderName: String, uploaded: inout Int, skipped: inout Int, bytes: inout Int64,
        keepPendingWhere keepPending: (TaggedResponse) -> Bool
    ) throws -> TaggedResponse? {
        var overQuota: TaggedResponse?
        var notStored: [Int64] = []
        var untouched: Set<Int64> = []
        var appended = 0, appendedBytes: Int64 = 0
        for index in records.indices {
            switch outcomes[index] {
            case .appended(let validity, let uid):
                records[index].state = .uploaded
                records[index].targetUIDValidity = validity.map(Int64.init) ?? Int64(selected.uidValidity ?? 0)
                records[index].targetUID = uid.map(Int64.init)
                appended += 1
                appendedBytes += batch[index].size
            case .refused(let response) where response.code == .overQuota:
                overQuota = response
                notStored.append(records[index].id!)
            case .refused(let response) where keepPending(response):
                untouched.insert(records[index].id!)
            case .refused(let response):
                records[index].state = .skipped
                records[index].reason =
                    "the target refused it: \(response.status.rawValue)\(response.code.map { " [\($0.name)]" } ?? "") \(response.text)"
                try record(
                    issue: records[index].reason!, folder: folderName, uid: batch[index].uid, scope: .message,
                    skipped: true)
                skipped += 1
            }
        }
        try ledger.saveUploads(records.filter { !notStored.contains($0.id!) && !untouched.contains($0.id!) })
        try ledger.deleteUploads(ids: notStored)
        uploaded += appended
        bytes += appendedBytes
        if appended > 0 {
            control.events.emit(.push, .messagesMoved(folder: folderName, messages: appended, bytes: appendedBytes))
        }
        progress.update {
            $0.messagesDone += batch.count - notStored.count - untouched.count
            $0.messagesRecorded += batch.count - notStored.count - untouched.count
        }
        return overQuota
    }

    private func propagateDeletes(folder: FolderRecord, uidValidity: UInt32) async throws -> Int {
        let gone = try ledger.goneUploads(targetID: target.id, folderID: folder.id).map(\.upload)
            .filter { $0.targetUIDValidity == Int64(uidValidity) && $0.targetUID != nil }
        guard !gone.isEmpty else { return 0 }
        let set = UIDSet(gone.compactMap { $0.targetUID.map { UInt32($0) } })
        try await client.uidStore(set, .add, flags: [.deleted])
        try await client.uidExpunge(set)
        try ledger.deleteUploads(ids: gone.compactMap(\.id))
        return gone.count
    }

    /// `skipped`: the message is not on the target (else it is, with this warning).
    private func record(issue reason: String, folder: String, uid: Int64?, scope: IssueScope, skipped: Bool) throws {
        logger.warning("\(folder)\(uid.map { " UID \($0)" } ?? ""): \(reason)")
        control.events.emit(
            .push,
            skipped
                ? .messageSkipped(folder: folder, uid: uid, reason: reason) : .warning(folder: folder, message: reason))
        // Pass 0 holds push issues: pushes are not numbered like pull passes.
        try database.recordIssue(PassIssueRecord(passID: 0, scope: scope, folder: folder, uid: uid, reason: reason))
        issues.append(PullSummary.Issue(scope: scope, folder: folder, uid: uid, reason: reason))
    }
}
