import Foundation
import IMAPClient
import IMAPCore
import Logging
import MailStore

/// Streams fetched messages into one folder's Maildir and records them in group commits:
/// bodies go to `tmp/` (hashed as they arrive), then per batch one filesystem sync, the renames
/// into `cur/`, one directory fsync and one database transaction. A crash before the
/// transaction leaves only files the next run removes; after it, nothing is lost.
final class MaildirFetchSink: FetchSink, @unchecked Sendable {
    private struct Pending {
        var temporaryPath: String
        var name: MaildirFileName
        var record: MessageRecord
        /// An older generation's row re-keyed to this UID instead of storing the bytes twice.
        var rekeyedFrom: MessageRecord?
    }

    private let folder: FolderRecord
    private let maildir: MaildirFolder
    private let database: StateDatabase
    private let passID: Int64
    private let uidValidity: UInt32
    private let progress: TransferProgress
    private let logger: Logger
    private let commitEvery: Int
    private let commitBytes: Int
    /// Only a folder whose UIDVALIDITY changed has rows to re-match; others skip the lookup.
    private let hasOlderGenerations: Bool
    private var keywords: [String]
    private var keywordsChanged = false
    private var current: IncomingMessageFile?
    private let writeBuffer = MessageWriteBuffer()
    private var pending: [Pending] = []
    private var pendingBytes = 0
    /// Messages that arrived whole and wait for the next commit.
    var hasPending: Bool { !pending.isEmpty }
    private(set) var storedCount = 0
    private(set) var storedBytes: Int64 = 0
    /// Messages not stored at all (the rest of `issues` are stored with a warning).
    private(set) var skippedCount = 0
    /// Old-generation rows already claimed, so two identical new messages never share one.
    private var rekeyedIDs: Set<Int64> = []
    private(set) var issues: [PassIssueRecord] = []
    private let committed: @Sendable (Int64, Int, Int64) -> Void
    private let archive: PassArchiveBuilder?
    private let uploadBacklog: UploadBacklog?
    private let control: JobControl

    init(
        folder: FolderRecord, maildir: MaildirFolder, database: StateDatabase, passID: Int64, uidValidity: UInt32,
        progress: TransferProgress, logger: Logger, commitEvery: Int, commitBytes: Int, hasOlderGenerations: Bool,
        control: JobControl, committed: @escaping @Sendable (Int64, Int, Int64) -> Void = { _, _, _ in },
        archive: PassArchiveBuilder? = nil, uploadBacklog: UploadBacklog? = nil
    ) throws {
        self.committed = committed; self.archive = archive; self.control = control
        self.uploadBacklog = uploadBacklog
        self.hasOlderGenerations = hasOlderGenerations
        self.folder = folder; self.maildir = maildir; self.database = database; self.passID = passID
        self.uidValidity = uidValidity; self.progress = progress; self.logger = logger
        self.commitEvery = commitEvery; self.commitBytes = commitBytes
        self.keywords = try database.keywords(folderID: folder.id)
    }

    func beginBody(_ section: BodySection, size: Int, of message: FetchedMessage) throws {
        guard section.isWholeMessage else { return }
        current = try IncomingMessageFile(directory: maildir.tmp, buffer: writeBuffer)
    }

    func appendBody(_ bytes: ArraySlice<UInt8>) throws {
        guard let current else { return }
        try bytes.withUnsafeBytes { try current.write($0) }
        if FaultInjection.isArmed && current.bytesWritten > 0 && current.bytesWritten == bytes.count {
            FaultInjection.reach(.midMessage)
        }
    }

    func endBody() throws {}

    func finishMessage(_ message: FetchedMessage) throws {
        guard let file = current else { return }
        current = nil
        guard let uid = message.uid, let date = message.internalDate else {
            file.discard()
            issues.append(
                issue(
                    uid: message.uid, "the server sent no UID or INTERNALDATE for message \(message.sequenceNumber)",
                    skipped: true))
            skippedCount += 1
            return
        }
        let (sha256, messageID) = try file.finish(modificationTime: date.secondsSince1970)
        let size = file.bytesWritten
        if let declared = message.rfc822Size, declared != size {
            issues.append(
                issue(
                    uid: uid, "RFC822.SIZE says \(declared) bytes but the body has \(size); kept the bytes as sent",
                    skipped: false))
        }
        let flags = (message.flags ?? []).filter { $0 != .recent }
        try learnKeywords(flags)
        let info = MaildirFlags.infoLetters(for: flags, keywordIndex: { self.keywords.firstIndex(of: $0) })
        let name = MaildirFileName(
            internalDateSeconds: date.secondsSince1970, uid: uid, uidValidity: uidValidity, size: size, info: info)
        var record = MessageRecord(
            folderID: folder.id, uidValidity: Int64(uidValidity), uid: Int64(uid),
            flags: FlagList(flags), internalDate: date.description,
            size: Int64(size), sha256: sha256, messageID: messageID, maildirFile: name.fileName, passID: passID)
        let previous =
            hasOlderGenerations
            ? try database.previousGenerationMatch(
                folderID: folder.id, currentUIDValidity: Int64(uidValidity),
                messageID: messageID, size: Int64(size), sha256: sha256, excluding: rekeyedIDs)
            : nil
        if let previous, !rekeyedIDs.contains(previous.id!) {
            rekeyedIDs.insert(previous.id!)
            record.id = previous.id
            record.passID = previous.passID
            record.flagsPassID = passID
            record.rekeyedPassID = passID
            record.previousUIDValidity = previous.uidValidity
            record.previousUID = previous.uid
        }
        let rekeyedFrom = record.id == nil ? nil : previous
        pending.append(Pending(temporaryPath: file.temporaryPath, name: name, record: record, rekeyedFrom: rekeyedFrom))
        pendingBytes += size
        progress.update {
            $0.messagesDone += 1; $0.bytesDone += Int64(size)
        }
        if pending.count >= commitEvery || pendingBytes >= commitBytes {
            try commit()
            // On the connection's own thread: the server waits on a full socket meanwhile.
            uploadBacklog?.waitForRoom(stopRequested: { control.stop.isStopRequested })
        }
        if control.stop.isStopRequested {
            // Keep what arrived, end the fetch here; the connection is dropped with it.
            try commit()
            throw JobStopped()
        }
    }

    /// Makes every pending message durable and recorded.
    func commit() throws {
        guard !pending.isEmpty else { return }
        if keywordsChanged {
            // The flag refresh may have added keywords since this sink learnt its own: the
            // file must list every position the database knows.
            keywords = try database.keywords(folderID: folder.id)
            try maildir.writeKeywords(keywords)
            keywordsChanged = false
        }
        try MaildirFolder.syncFilesBeforeRename(pending.map(\.temporaryPath))
        var inserted: [MessageRecord] = [], rekeyed: [MessageRecord] = []
        for item in pending {
            if let old = item.rekeyedFrom, let oldName = MaildirFileName(parsing: old.maildirFile) {
                // Same bytes as a message of the previous generation: move that file, drop the copy.
                try maildir.rename(oldName, to: item.name)
                unlink(item.temporaryPath)
                rekeyed.append(item.record)
            } else {
                try maildir.commit(temporaryPath: item.temporaryPath, as: item.name)
                inserted.append(item.record)
            }
        }
        try maildir.syncDirectories()
        let highest = pending.map(\.record.uid).max() ?? 0
        try database.commitBatch(
            inserted: inserted, rekeyed: rekeyed, folderID: folder.id, highestUID: highest, passID: passID)
        uploadBacklog?.committed(
            folderID: folder.id, files: inserted.map { (maildir.storedPath($0.maildirFile), Int($0.size)) })
        if let archive {
            let entries = pending.filter { $0.rekeyedFrom == nil }.map { item in
                PassArchiveBuilder.Entry(
                    entryPath: PassArchiver.entryPath(maildirPath: folder.maildirPath, file: item.name.fileName),
                    sourcePath: maildir.storedPath(item.name.fileName), modificationTime: item.name.internalDateSeconds)
            }
            archive.append(entries)
        }
        storedCount += inserted.count
        let insertedBytes = inserted.reduce(Int64(0)) { $0 + $1.size }
        storedBytes += insertedBytes
        control.events.emit(.pull, .messagesMoved(folder: folder.name, messages: inserted.count, bytes: insertedBytes))
        progress.update { $0.messagesRecorded += pending.count }
        committed(folder.id, pending.count, Int64(pendingBytes))
        pending.removeAll(keepingCapacity: true)
        pendingBytes = 0
        FaultInjection.reach(.afterCommit)
        FaultInjection.pace()
    }

    /// Commits the messages that arrived whole and drops the one cut short, after a broken link:
    /// on a link cut every few megabytes, progress is per message, not per commit group. A
    /// commit that fails here drops everything pending, as `abandon` does.
    func salvage() {
        current?.discard()
        current = nil
        do { try commit() } catch {
            logger.warning(
                "\(folder.name): could not keep the \(pending.count) messages that arrived before the link broke: \(error)"
            )
            abandon()
        }
    }

    /// Drops what was not committed (the fetch failed); those UIDs are fetched again next run.
    func abandon() {
        current?.discard()
        for item in pending { unlink(item.temporaryPath) }
        pending.removeAll()
    }

    private func learnKeywords(_ flags: [Flag]) throws {
        let fresh = flags.filter { !$0.isSystemFlag && !keywords.contains($0.name) }.map(\.name)
        guard !fresh.isEmpty else { return }
        keywords = try database.addKeywords(fresh, folderID: folder.id)
        keywordsChanged = true
    }

    private func issue(uid: UInt32?, _ reason: String, skipped: Bool) -> PassIssueRecord {
        let place = "\(folder.name) UID \(uid.map(String.init) ?? "?")"
        logger.warning("\(place): \(reason)")
        control.events.emit(
            .pull,
            skipped
                ? .messageSkipped(folder: folder.name, uid: uid.map(Int64.init), reason: reason)
                : .warning(folder: folder.name, message: "UID \(uid.map(String.init) ?? "?"): \(reason)"))
        return PassIssueRecord(
            passID: passID, scope: .message, folder: folder.name, uid: uid.map(Int64.init), reason: reason)
    }
}
