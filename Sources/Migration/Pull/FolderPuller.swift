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
    var uploadBacklog: UploadBacklog?
    /// UIDNEXT by folder ID, from the STATUS that planned the pass, where it showed the
    /// generation the store knows: what bounds a prefetch of new bodies.
    var plannedUIDNext: [Int64: UInt32] = [:]

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
        var stored = try folder.uidValidity.map { try database.storedUIDs(folderID: folder.id, uidValidity: $0) } ?? [:]
        let maildir = MaildirFolder(root: layout.maildir, relativePath: folder.maildirPath)
        let prefetch = try prefetchPlan(folder, stored: stored, maildir: maildir)
        let survey: FolderSurvey
        do {
            survey = try await client.survey(mailbox, changedSince: knownModSeq, prefetch: prefetch?.request)
        } catch {
            if let prefetch { try settle(prefetch.sink, after: error) }
            throw error
        }
        let sink = survey.prefetched ? prefetch?.sink : nil
        let prefetchedUIDs = survey.prefetched ? prefetch?.arrived.uids ?? [] : []
        let selected = survey.selected
        let uidValidity: UInt32
        let sourceUIDs = survey.uids
        do {
            guard let validity = selected.uidValidity else {
                throw IMAPError.protocolViolation(
                    host: options.source.endpoint.host, detail: "no UIDVALIDITY for folder \(folder.name)")
            }
            uidValidity = validity
            if let known = folder.uidValidity, known != Int64(uidValidity) {
                // UIDs of the old generation are void; messages are re-matched by identity below.
                logger.warning(
                    "\(folder.name): UIDVALIDITY changed from \(known) to \(uidValidity); matching messages by Message-ID, size and SHA-256"
                )
                result.uidValidityChanged = true
                folder.highestUID = 0
                folder.highestModSeq = nil
            }
            if folder.uidValidity != Int64(uidValidity) {
                // Read above for the generation the store knew; this one is another (or the first).
                stored = try database.storedUIDs(folderID: folder.id, uidValidity: Int64(uidValidity))
            }
            folder.uidValidity = Int64(uidValidity)
            if folder != original { try database.saveFolder(folder) }

            let surveyedFlags = result.uidValidityChanged || selected.highestModSeq == nil ? nil : survey.changedFlags
            // Flags that still have to be fetched would hold the prefetched messages back by a round trip.
            if surveyedFlags == nil { try sink?.commit() }
            let sourceSet = Set(sourceUIDs)
            result.flagUpdates = try await refreshFlags(
                folder: folder, stored: stored, sourceSet: sourceSet, selected: selected, uidValidity: uidValidity,
                surveyed: surveyedFlags)
            let gone = stored.filter { !sourceSet.contains(UInt32($0.key)) && $0.value.present }.map(\.value.id)
            try database.markSourceGone(ids: gone, passID: passID)
            result.goneAtSource = gone.count
            if result.uidValidityChanged { try markOldGenerationGone(folder: folder, uidValidity: uidValidity) }
            // The prefetched messages are made durable now, after the flag changes: `migrate`
            // uploads both in one visit of the target folder while the rest is fetched.
            let flagsGoWithCommit = surveyedFlags != nil && sink?.hasPending == true
            if surveyedFlags != nil { try sink?.commit() }
            // Flag changes alone are work for `migrate`'s uploads too, done while pulling.
            if result.flagUpdates > 0 && !flagsGoWithCommit { committed(folder.id, 0, 0) }
        } catch {
            if let sink { try settle(sink, after: error) }
            throw error
        }
        let newUIDs = sourceUIDs.filter { stored[Int64($0)] == nil }
        // The prefetched ones were planned as they arrived.
        let remaining = prefetchedUIDs.isEmpty ? newUIDs : newUIDs.filter { !prefetchedUIDs.contains($0) }
        progress.update { $0.messagesPlanned += remaining.count }

        var fetched = FetchOutcome()
        if !remaining.isEmpty || sink != nil {
            // The prefetch's sink holds what came with the survey; else the folder gets its own.
            let into =
                try sink
                ?? makeSink(
                    folder, maildir: maildir, uidValidity: uidValidity,
                    hasOlderGenerations: result.uidValidityChanged
                        || stored.count < database.messageCount(folderID: folder.id))
            fetched = try await fetch(remaining, into: into)
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

    private func fetch(_ uids: [UInt32], into sink: MaildirFetchSink) async throws -> FetchOutcome {
        let sets = stride(from: 0, to: uids.count, by: options.fetchBatchSize).map {
            UIDSet(uids[$0..<min($0 + options.fetchBatchSize, uids.count)])
        }
        do {
            if !sets.isEmpty { try await client.uidFetch(sets, items: IMAPClient.messageItems, into: sink) }
            try sink.commit()
        } catch {
            try settle(sink, after: error)
            throw error
        }
        for issue in sink.issues { try database.recordIssue(issue) }
        return FetchOutcome(
            stored: sink.storedCount, bytes: sink.storedBytes, issues: sink.issues.count, skipped: sink.skippedCount)
    }

    private func makeSink(
        _ folder: FolderRecord, maildir: MaildirFolder, uidValidity: UInt32, hasOlderGenerations: Bool
    ) throws -> MaildirFetchSink {
        try maildir.create()
        return try MaildirFetchSink(
            folder: folder, maildir: maildir, database: database, passID: passID, uidValidity: uidValidity,
            progress: progress, logger: logger, commitEvery: options.commitEvery, commitBytes: options.commitBytes,
            hasOlderGenerations: hasOlderGenerations, control: control, committed: committed, archive: archive,
            uploadBacklog: uploadBacklog)
    }

    /// After a failed fetch: a broken link keeps the messages that arrived whole (only the one
    /// cut short is lost); anything else drops what was not committed.
    private func settle(_ sink: MaildirFetchSink, after error: Error) throws {
        if error is IMAPError {
            sink.salvage()
            for issue in sink.issues { try database.recordIssue(issue) }
        } else {
            sink.abandon()
            // A stop keeps what was committed; the warnings about it must be kept with it.
            if error is JobStopped { for issue in sink.issues { try database.recordIssue(issue) } }
        }
    }

    /// A delta pass's new messages are those above the highest UID the store has seen, up to
    /// the UIDNEXT its STATUS showed: their bodies can be asked for with the survey itself, one
    /// round trip sooner. Only for a known generation (the survey drops them under another)
    /// and one fetch batch at most, so the rest still goes through `fetch`, where a far link is
    /// judged for COMPRESS.
    private func prefetchPlan(
        _ folder: FolderRecord, stored: [Int64: (id: Int64, present: Bool)], maildir: MaildirFolder
    ) throws -> (request: SurveyPrefetch, sink: MaildirFetchSink, arrived: ArrivedUIDs)? {
        guard let validity = folder.uidValidity, let uidNext = plannedUIDNext[folder.id] else { return nil }
        // Rows committed by a killed run lie above `highestUID`, which is saved when a folder ends.
        let floor = max(folder.highestUID, stored.keys.max() ?? 0)
        let last = min(Int64(uidNext) - 1, floor + Int64(options.fetchBatchSize))
        guard last > floor, last <= Int64(UInt32.max) else { return nil }
        let hasOlder = try stored.count < database.messageCount(folderID: folder.id)
        let sink = try makeSink(
            folder, maildir: maildir, uidValidity: UInt32(validity), hasOlderGenerations: hasOlder)
        let arrived = ArrivedUIDs(sink, progress: progress)
        let request = SurveyPrefetch(
            uids: UIDSet(ranges: [UInt32(floor + 1)...UInt32(last)]), items: IMAPClient.messageItems,
            expectedUIDValidity: UInt32(validity), sink: arrived)
        return (request, sink, arrived)
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
