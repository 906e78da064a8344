import Foundation
import IMAPClient
import IMAPCore
import Logging
import MailStore

/// Pulls one folder over one connection: new messages, flag changes, deletions at the source,
/// and a new UIDVALIDITY generation without storing anything twice.
struct FolderPuller {
    let client: any IMAPSession
    let database: StateDatabase
    let layout: StoreLayout
    let passID: Int64
    let options: PullOptions
    let progress: TransferProgress
    let logger: Logger
    let control: JobControl
    var committed: @Sendable (_ folderID: Int64, _ messages: Int, _ bytes: Int64) -> Void = { _, _, _ in }
    var archive: PassArchiveBuilder?

    func pull(_ folder: FolderRecord) async throws -> PullSummary.FolderResult {
        let original = folder
        var folder = folder
        var result = PullSummary.FolderResult(
            name: folder.name, newMessages: 0, flagUpdates: 0, goneAtSource: 0, uidValidityChanged: false)
        let mailbox = MailboxName(wire: Array(folder.wireName))
        control.events.emit(.pull, .folderStarted(folder: folder.name))
        // The flags changed since the last pass come with the EXAMINE when this generation's
        // mod-sequence is known; they are used only if the generation is still the same.
        let knownModSeq = folder.uidValidity == nil ? nil : folder.highestModSeq.map { UInt64(bitPattern: $0) }
        let survey = try await client.survey(mailbox, changedSince: knownModSeq)
        let selected = survey.selected
        guard let uidValidity = selected.uidValidity else {
            throw IMAPError.protocolViolation(
                host: options.source.endpoint.host, detail: "no UIDVALIDITY for folder \(folder.name)")
        }
        if let known = folder.uidValidity, known != Int64(uidValidity) {
            // UIDs of the old generation are void; messages are re-matched by identity below.
            logger.warning(
                "\(folder.name): UIDVALIDITY changed from \(known) to \(uidValidity); matching messages by Message-ID, size and SHA-256"
            )
            result.uidValidityChanged = true
            folder.highestUID = 0
            folder.highestModSeq = nil
        }
        folder.uidValidity = Int64(uidValidity)
        if folder != original { try database.saveFolder(folder) }

        let sourceUIDs = survey.uids
        let stored = try database.storedUIDs(folderID: folder.id, uidValidity: Int64(uidValidity))
        let sourceSet = Set(sourceUIDs)
        let newUIDs = sourceUIDs.filter { stored[Int64($0)] == nil }
        progress.update { $0.messagesPlanned += newUIDs.count }

        result.flagUpdates = try await refreshFlags(
            folder: folder, stored: stored, sourceSet: sourceSet, selected: selected, uidValidity: uidValidity,
            surveyed: result.uidValidityChanged || selected.highestModSeq == nil ? nil : survey.changedFlags)
        let gone = stored.filter { !sourceSet.contains(UInt32($0.key)) && $0.value.present }.map(\.value.id)
        try database.markSourceGone(ids: gone, passID: passID)
        result.goneAtSource = gone.count
        if result.uidValidityChanged { try markOldGenerationGone(folder: folder, uidValidity: uidValidity) }

        var fetched = FetchOutcome()
        if !newUIDs.isEmpty {
            let hasOlder = try result.uidValidityChanged || stored.count < database.messageCount(folderID: folder.id)
            fetched = try await fetch(newUIDs, folder: folder, uidValidity: uidValidity, hasOlderGenerations: hasOlder)
            result.newMessages = fetched.stored
        }
        let complete = fetched.issues == 0
        // What this SELECT showed, kept only when every message made it into the store: the
        // next pass skips the folder while STATUS shows the same (see PullEngine.plan).
        folder.syncedUIDNext = complete ? selected.uidNext.map(Int64.init) : nil
        folder.syncedMessages = complete ? Int64(selected.exists) : nil
        folder.highestModSeq = selected.highestModSeq.map { Int64(bitPattern: $0) }
        folder.highestUID = max(folder.highestUID, Int64(sourceUIDs.max() ?? 0))
        if folder != original { try database.saveFolder(folder) }
        progress.update { $0.foldersDone += 1 }
        control.events.emit(
            .pull,
            .folderFinished(
                .init(
                    folder: folder.name, messages: result.newMessages, bytes: fetched.bytes,
                    flagUpdates: result.flagUpdates, skipped: fetched.skipped)))
        return result
    }

    /// What a folder's fetch stored (new rows and their bytes) and how many messages it could not.
    private struct FetchOutcome {
        var stored = 0
        var bytes: Int64 = 0
        var issues = 0
        var skipped = 0
    }

    private func fetch(
        _ uids: [UInt32], folder: FolderRecord, uidValidity: UInt32, hasOlderGenerations: Bool
    ) async throws -> FetchOutcome {
        let maildir = MaildirFolder(root: layout.maildir, relativePath: folder.maildirPath)
        try maildir.create()
        let sink = try MaildirFetchSink(
            folder: folder, maildir: maildir, database: database, passID: passID, uidValidity: uidValidity,
            progress: progress, logger: logger, commitEvery: options.commitEvery, commitBytes: options.commitBytes,
            hasOlderGenerations: hasOlderGenerations, control: control, committed: committed, archive: archive)
        let sets = stride(from: 0, to: uids.count, by: options.fetchBatchSize).map {
            UIDSet(uids[$0..<min($0 + options.fetchBatchSize, uids.count)])
        }
        do {
            try await client.uidFetch(sets, items: IMAPClient.messageItems, into: sink)
            try sink.commit()
        } catch let error as IMAPError {
            // The link broke: messages that arrived whole are kept, only the one cut short is lost.
            sink.salvage()
            for issue in sink.issues { try database.recordIssue(issue) }
            throw error
        } catch {
            sink.abandon()
            // A stop keeps what was committed; the warnings about it must be kept with it.
            if error is JobStopped { for issue in sink.issues { try database.recordIssue(issue) } }
            throw error
        }
        for issue in sink.issues { try database.recordIssue(issue) }
        return FetchOutcome(
            stored: sink.storedCount, bytes: sink.storedBytes, issues: sink.issues.count, skipped: sink.skippedCount)
    }

    /// Applies source flag changes to stored messages: only the changed ones with CONDSTORE
    /// (`surveyed`, when they came with the EXAMINE), else one batched FETCH FLAGS over the
    /// stored UIDs.
    private func refreshFlags(
        folder: FolderRecord, stored: [Int64: (id: Int64, present: Bool)], sourceSet: Set<UInt32>,
        selected: SelectedMailbox, uidValidity: UInt32, surveyed: [FetchedMessage]?
    ) async throws -> Int {
        let candidates = stored.keys.filter { sourceSet.contains(UInt32($0)) }.map { UInt32($0) }
        guard !candidates.isEmpty else { return 0 }
        let fetched: [FetchedMessage]
        if let surveyed {
            // New messages changed too; only stored ones matter here.
            fetched = surveyed.filter { $0.uid.map { stored[Int64($0)] != nil } ?? false }
        } else {
            let changedSince: UInt64? = folder.highestModSeq.flatMap { known in
                selected.highestModSeq.map { _ in UInt64(bitPattern: known) }
            }
            if let changedSince, selected.highestModSeq == changedSince { return 0 }
            fetched = try await client.uidFetchAttributes(
                UIDSet(candidates), items: ["UID", "FLAGS"], changedSince: changedSince)
        }
        guard !fetched.isEmpty else { return 0 }
        let records = try database.messages(
            folderID: folder.id, uidValidity: Int64(uidValidity), uids: fetched.compactMap { $0.uid.map(Int64.init) })
        let maildir = MaildirFolder(root: layout.maildir, relativePath: folder.maildirPath)
        var keywords = try database.keywords(folderID: folder.id)
        var changes: [(id: Int64, flags: FlagList, maildirFile: String)] = []
        for message in fetched {
            guard let uid = message.uid, let record = records[Int64(uid)], let flags = message.flags else { continue }
            let list = FlagList(flags)
            let kept = list.flags
            guard list != record.flags else { continue }
            let fresh = kept.filter { !$0.isSystemFlag && !keywords.contains($0.name) }.map(\.name)
            if !fresh.isEmpty {
                keywords = try database.addKeywords(fresh, folderID: folder.id)
                try maildir.writeKeywords(keywords)
            }
            guard let oldName = MaildirFileName(parsing: record.maildirFile) else { continue }
            let newName = oldName.withInfo(
                MaildirFlags.infoLetters(for: kept, keywordIndex: { keywords.firstIndex(of: $0) }))
            try maildir.rename(oldName, to: newName)
            changes.append((record.id!, list, newName.fileName))
        }
        // The renames must be durable before the database says the flags changed.
        if !changes.isEmpty { try maildir.syncDirectories() }
        try database.updateFlags(changes, passID: passID)
        progress.update { $0.flagsChanged += changes.count }
        return changes.count
    }

    private func markOldGenerationGone(folder: FolderRecord, uidValidity: UInt32) throws {
        let old = try database.allMessages(folderID: folder.id).filter {
            $0.uidValidity != Int64(uidValidity) && $0.sourceState == .present
        }
        try database.markSourceGone(ids: old.compactMap(\.id), passID: passID)
    }
}
