import Foundation
import IMAPClient
import IMAPCore
import Logging
import MailStore

/// Uploads one source folder to its target folder exactly once: pending recorded before each
/// APPEND, the UID recorded after its OK, anything uncertain looked up on the target first.
struct FolderPusher {
    let client: IMAPClient
    let context: JobContext
    let target: TargetRecord
    let options: PushOptions
    let progress: TransferProgress
    let issues: IssueLog

    private var database: StateDatabase { context.database }
    private var logger: Logger { context.logger }
    private var host: String { options.target.endpoint.host }

    func push(_ folder: FolderRecord, to targetName: String) async throws -> PushSummary.FolderResult {
        var result = PushSummary.FolderResult(source: folder.name, target: targetName, uploaded: 0, adopted: 0, skipped: 0, flagUpdates: 0, deleted: 0)
        let mailbox = MailboxName(targetName)
        let selected = try await client.select(mailbox)
        guard let uidValidity = selected.uidValidity else {
            throw IMAPError.protocolViolation(host: host, detail: "no UIDVALIDITY for target folder \(targetName)")
        }
        var uploads = try database.uploads(targetID: target.id!, sourceFolderID: folder.id!)
        let recorded = try database.targetFolder(targetID: target.id!, sourceFolderID: folder.id!)
        var mapping = recorded ?? TargetFolderRecord(targetID: target.id!, sourceFolderID: folder.id!, name: targetName)
        if let known = mapping.uidValidity, known != Int64(uidValidity) || mapping.name != targetName {
            // The target folder was recreated or remapped: recorded UIDs are void; re-match by identity.
            logger.warning("\(targetName): target UIDVALIDITY changed; re-checking which messages it holds")
            try database.deleteUploads(ids: uploads.values.filter { $0.state != .skipped }.compactMap(\.id))
            uploads = try database.uploads(targetID: target.id!, sourceFolderID: folder.id!)
        }
        mapping.uidValidity = Int64(uidValidity)
        mapping.name = targetName
        if mapping != recorded { try database.saveTargetFolder(&mapping) }

        let messages = try database.allMessages(folderID: folder.id!)
        let maildir = MaildirFolder(root: context.layout.maildir, relativePath: folder.maildirPath)
        let candidates = messages.filter { $0.sourceState == "present" && (uploads[$0.id!] == nil || uploads[$0.id!]!.state == .pending) }
        progress.update { $0.messagesPlanned += candidates.count }
        var queue = candidates
        if !candidates.isEmpty {
            let recorded = uploads.values.filter { $0.state == .uploaded }
            let hasPending = uploads.values.contains { $0.state == .pending }
            if hasPending || selected.exists > recorded.count {
                (queue, result.adopted) = try await adoptExisting(candidates, uploads: uploads, maildir: maildir, folder: targetName, uidValidity: uidValidity)
            }
        }
        (result.uploaded, result.skipped) = try await upload(queue, maildir: maildir, mailbox: mailbox, selected: selected, folderName: folder.name)
        result.flagUpdates = try await synchronizeFlags(messages, folder: folder, selected: selected, uidValidity: uidValidity)
        if options.propagateDeletes {
            result.deleted = try await propagateDeletes(messages, folder: folder, uidValidity: uidValidity)
        }
        progress.update { $0.foldersDone += 1 }
        return result
    }

    /// Messages the target already has (uploaded before a crash, or by another tool) are
    /// recorded instead of appended again.
    private func adoptExisting(_ candidates: [MessageRecord], uploads: [Int64: UploadRecord], maildir: MaildirFolder,
                               folder: String, uidValidity: UInt32) async throws -> ([MessageRecord], Int) {
        let claimed = Set(uploads.values.filter { $0.state == .uploaded }.compactMap { $0.targetUID.map { UInt32($0) } })
        var index = TargetIndex(claimed: claimed)
        try await index.load(from: client)
        var remaining: [MessageRecord] = []
        var adopted: [UploadRecord] = []
        var dropped: [Int64] = []
        for message in candidates {
            if let uid = try await index.match(message, file: "\(maildir.cur)/\(message.maildirFile)", client: client) {
                var record = uploads[message.id!] ?? UploadRecord(messageRowID: message.id!, targetID: target.id!, state: .uploaded, targetFolder: folder, flags: "")
                record.state = .uploaded
                record.targetFolder = folder
                record.targetUIDValidity = Int64(uidValidity)
                record.targetUID = Int64(uid)
                record.flags = "?"   // unknown: the flag pass below sets them
                adopted.append(record)
            } else {
                if let stale = uploads[message.id!], let id = stale.id { dropped.append(id) }
                remaining.append(message)
            }
        }
        try database.saveUploads(adopted)
        try database.deleteUploads(ids: dropped)
        if !adopted.isEmpty { logger.info("\(folder): \(adopted.count) messages were already on the target; not appended again") }
        progress.update { $0.messagesDone += adopted.count }
        return (remaining, adopted.count)
    }

    private func upload(_ queue: [MessageRecord], maildir: MaildirFolder, mailbox: MailboxName, selected: SelectedMailbox,
                        folderName: String) async throws -> (uploaded: Int, skipped: Int) {
        var uploaded = 0, skipped = 0
        var reportedKeywords: Set<String> = []
        let progress = self.progress
        var queue = queue
        if let limit = await client.capabilities.appendLimit {
            // Never stream a body the server announced it will refuse.
            let tooBig = queue.filter { $0.size > Int64(limit) }
            queue.removeAll { $0.size > Int64(limit) }
            var records: [UploadRecord] = []
            for message in tooBig {
                var record = UploadRecord(messageRowID: message.id!, targetID: target.id!, state: .skipped, targetFolder: mailbox.description, flags: "")
                record.reason = "\(message.size) bytes exceed the target's APPENDLIMIT of \(limit)"
                try self.record(issue: record.reason!, folder: folderName, uid: message.uid, scope: "message")
                records.append(record)
            }
            try database.saveUploads(records)
            skipped += tooBig.count
        }
        for start in stride(from: 0, to: queue.count, by: options.batchSize) {
            let batch = Array(queue[start..<min(start + options.batchSize, queue.count)])
            var requests: [AppendRequest] = []
            var records: [UploadRecord] = []
            for message in batch {
                let flags = message.flags.split(separator: " ").map { Flag(String($0)) }
                let kept = flags.filter { selected.canStore($0) }
                for dropped in flags where !kept.contains(dropped) && dropped != .recent && !reportedKeywords.contains(dropped.name) {
                    reportedKeywords.insert(dropped.name)
                    try record(issue: "the target does not store the keyword \(dropped.name); it is dropped", folder: folderName, uid: message.uid, scope: "message")
                }
                requests.append(AppendRequest(body: .file(path: "\(maildir.cur)/\(message.maildirFile)"), size: Int(message.size),
                                              flags: kept, internalDate: InternalDate(message.internalDate)))
                var upload = UploadRecord(messageRowID: message.id!, targetID: target.id!, state: .pending,
                                          targetFolder: mailbox.description, flags: kept.map(\.name).sorted().joined(separator: " "))
                upload.flagsPassID = message.flagsPassID
                records.append(upload)
            }
            records = try database.markPending(records)
            let send = { (requests: [AppendRequest]) async throws -> [AppendOutcome] in
                try await client.append(requests, to: mailbox, onBodyBytes: { count in
                    progress.update { $0.bytesDone += Int64(count) }
                    FaultInjection.reach(.midLiteral)
                })
            }
            var outcomes = try await send(requests)
            if outcomes.contains(where: { if case .refused(let r) = $0 { return r.code == .tryCreate } else { return false } }) {
                // The folder vanished since it was selected: create it and send those again.
                logger.warning("\(mailbox): the target says TRYCREATE; creating the folder and retrying")
                try await client.create(mailbox)
                try? await client.subscribe(mailbox)
                let retry = outcomes.indices.filter { if case .refused(let r) = outcomes[$0] { return r.code == .tryCreate } else { return false } }
                let again = try await send(retry.map { requests[$0] })
                for (index, outcome) in zip(retry, again) { outcomes[index] = outcome }
            }
            if let busy = outcomes.lazy.compactMap({ outcome -> TaggedResponse? in
                if case .refused(let r) = outcome, r.code == .unavailable { return r } else { return nil }
            }).first {
                // Throttling: leave these pending (looked up before any re-APPEND) and retry the
                // folder after a back-off.
                try saveOutcomes(records: &records, outcomes: outcomes, batch: batch, selected: selected, folderName: folderName,
                                 uploaded: &uploaded, skipped: &skipped, keepPendingWhere: { $0.code == .unavailable })
                throw IMAPError.commandFailed(host: host, command: "APPEND", mailbox: mailbox.description, response: busy)
            }
            let overQuota = try saveOutcomes(records: &records, outcomes: outcomes, batch: batch, selected: selected, folderName: folderName,
                                             uploaded: &uploaded, skipped: &skipped, keepPendingWhere: { _ in false })
            FaultInjection.reach(.afterAppend)
            if let overQuota {
                throw TargetOverQuota(host: host, folder: mailbox.description, serverText: overQuota.text)
            }
        }
        return (uploaded, skipped)
    }

    /// Records a batch's outcomes in one transaction: uploaded with the target UID, skipped with
    /// the target's reason; over-quota refusals are forgotten (nothing was stored) and returned.
    private func saveOutcomes(records: inout [UploadRecord], outcomes: [AppendOutcome], batch: [MessageRecord], selected: SelectedMailbox,
                              folderName: String, uploaded: inout Int, skipped: inout Int,
                              keepPendingWhere keepPending: (TaggedResponse) -> Bool) throws -> TaggedResponse? {
        var overQuota: TaggedResponse?
        var notStored: [Int64] = []
        var untouched: Set<Int64> = []
        for index in records.indices {
            switch outcomes[index] {
            case .appended(let validity, let uid):
                records[index].state = .uploaded
                records[index].targetUIDValidity = validity.map(Int64.init) ?? Int64(selected.uidValidity ?? 0)
                records[index].targetUID = uid.map(Int64.init)
                uploaded += 1
            case .refused(let response) where response.code == .overQuota:
                overQuota = response
                notStored.append(records[index].id!)
            case .refused(let response) where keepPending(response):
                untouched.insert(records[index].id!)
            case .refused(let response):
                records[index].state = .skipped
                records[index].reason = "the target refused it: \(response.status.rawValue)\(response.code.map { " [\($0.name)]" } ?? "") \(response.text)"
                try record(issue: records[index].reason!, folder: folderName, uid: batch[index].uid, scope: "message")
                skipped += 1
            }
        }
        try database.saveUploads(records.filter { !notStored.contains($0.id!) && !untouched.contains($0.id!) })
        try database.deleteUploads(ids: notStored)
        progress.update { $0.messagesDone += batch.count - notStored.count - untouched.count }
        return overQuota
    }

    /// Source flag changes reach the target with UID STORE FLAGS, one command per flag set.
    private func synchronizeFlags(_ messages: [MessageRecord], folder: FolderRecord, selected: SelectedMailbox, uidValidity: UInt32) async throws -> Int {
        let uploads = try database.uploads(targetID: target.id!, sourceFolderID: folder.id!)
        var groups: [String: [UploadRecord]] = [:]
        // Flags already right on the target: only the bookkeeping moves forward.
        var unchanged: [UploadRecord] = []
        for message in messages {
            guard var upload = uploads[message.id!], upload.state == .uploaded, upload.targetUID != nil,
                  upload.targetUIDValidity == Int64(uidValidity) else { continue }
            let desired = message.flags.split(separator: " ").map { Flag(String($0)) }.filter { selected.canStore($0) }
            let text = desired.map(\.name).sorted().joined(separator: " ")
            guard text != upload.flags else {
                if upload.flagsPassID != message.flagsPassID {
                    upload.flagsPassID = message.flagsPassID
                    unchanged.append(upload)
                }
                continue
            }
            upload.flags = text
            upload.flagsPassID = message.flagsPassID
            groups[text, default: []].append(upload)
        }
        var changed: [UploadRecord] = []
        for (text, group) in groups {
            let flags = text.split(separator: " ").map { Flag(String($0)) }
            try await client.uidStore(UIDSet(group.compactMap { $0.targetUID.map { UInt32($0) } }), .replace, flags: flags)
            changed += group
        }
        try database.saveUploads(changed + unchanged)
        // Adopted messages had unknown flags ("?"): setting them is not a source change.
        return changed.filter { uploads[$0.messageRowID]?.flags != "?" }.count
    }

    private func propagateDeletes(_ messages: [MessageRecord], folder: FolderRecord, uidValidity: UInt32) async throws -> Int {
        let uploads = try database.uploads(targetID: target.id!, sourceFolderID: folder.id!)
        let gone = messages.filter { $0.sourceState == "gone" }.compactMap { uploads[$0.id!] }
            .filter { $0.state == .uploaded && $0.targetUIDValidity == Int64(uidValidity) && $0.targetUID != nil }
        guard !gone.isEmpty else { return 0 }
        let set = UIDSet(gone.compactMap { $0.targetUID.map { UInt32($0) } })
        try await client.uidStore(set, .add, flags: [.deleted])
        try await client.uidExpunge(set)
        try database.deleteUploads(ids: gone.compactMap(\.id))
        return gone.count
    }

    private func record(issue reason: String, folder: String, uid: Int64?, scope: String) throws {
        logger.warning("\(folder)\(uid.map { " UID \($0)" } ?? ""): \(reason)")
        // Pass 0 holds push issues: pushes are not numbered like pull passes.
        try database.recordIssue(PassIssueRecord(passID: 0, scope: scope, folder: folder, uid: uid, reason: reason))
        issues.append(PullSummary.Issue(scope: scope, folder: folder, uid: uid, reason: reason))
    }
}
