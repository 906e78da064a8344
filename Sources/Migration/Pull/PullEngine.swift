import Foundation
import IMAPClient
import IMAPCore
import Logging
import MailStore

/// One pull pass: source IMAP → the job's Maildir and manifest → a sealed archive.
/// Resumable at any point: a killed run is continued by the next one, with nothing stored twice.
public struct PullEngine: Sendable {
    public let options: PullOptions
    public let progress: TransferProgress
    public let control: JobControl
    private let console: @Sendable (String) -> LogHandler

    public init(
        options: PullOptions, progress: TransferProgress = TransferProgress(), control: JobControl = JobControl(),
        console: @escaping @Sendable (String) -> LogHandler = JobContext.warningsToStandardError
    ) {
        self.options = options
        self.progress = progress
        self.control = control
        self.console = console
    }

    /// Opens the job (lock, database, log) and runs one pass.
    /// Opens the job (lock, database, log, a run on the ledger) and runs one pass: the same as
    /// `MigrationJob.pull`.
    public func run(password: String) async throws -> PullSummary {
        try await MigrationJob(storeRoot: options.storeRoot, name: options.job, control: control, console: console)
            .pull(options, password: password, progress: progress)
    }

    /// Runs one pass in an already opened job (used by `migrate`).
    /// `events` report folders, group commits and the end of the transfer as they happen, so
    /// `migrate` can upload while pulling and while the archive is being written.
    public func run(
        password: String, context: JobContext, events: PullEvents = PullEvents()
    ) async throws -> PullSummary {
        do {
            return try await pass(password: password, context: context, events: events)
        } catch is JobStopped {
            context.logger.notice("pull stopped on request; the next run resumes")
            throw JobStopped()
        } catch {
            // The job's log must say why a run ended, or the next one's "resuming" has no story.
            context.logger.error("pull stopped: \(error)")
            throw error
        }
    }

    private func pass(password: String, context: JobContext, events: PullEvents) async throws -> PullSummary {
        let started = Date()
        let layout = context.layout, database = context.database, logger = context.logger, logFile = context.logFile
        let endpoint = options.source.endpoint
        try database.bindJob(host: endpoint.host, port: endpoint.port, user: endpoint.user)
        try PassArchiver.requireConsistentEncryption(layout: layout, encrypting: options.archiveKey != nil)
        try PassArchiver(database: database, layout: layout, compression: options.compression, logger: logger)
            .sealCompletedArchive()
        // The other workers' TCP and TLS go on while the first connection logs in; they log in
        // only once it has, so a wrong password counts once against an account lockout.
        let source = options.source
        let opened = (1..<max(1, options.connections)).map { _ in
            Task { () throws -> IMAPClient in
                let client = IMAPClient(configuration: source, logger: logger)
                try await client.connect()
                return client
            }
        }
        // Log in before opening a pass: a source that cannot be reached leaves no pass behind.
        let loggedIn: IMAPClient, prefix: String
        do {
            (loggedIn, prefix) = try await withReconnects(
                retry: options.retry, logger: logger, step: "source login", control: control, jobStep: .pull,
                connect: { try await connect(logger: logger, password: password) }
            ) {
                try await namespacePrefix($0)
            }
        } catch {
            for connection in opened { Task { try? await connection.value.logout() } }
            throw error
        }
        // Their logins go on while the store is reconciled and the folders listed and planned
        // (at a 50 ms round trip about 0.2 s); those a pass does not use (nothing to pull, or
        // it failed first) are logged out again.
        let warm = opened.map { connection in
            WarmConnection {
                let client = try await connection.value
                try await client.login(password: password)
                return client
            }
        }
        try database.recordSourceNamespacePrefix(prefix)
        let resumed = try database.passes().contains { $0.status == .running }
        let pass = try database.openPass()
        let prefixNote = prefix.isEmpty ? "" : ", personal namespace prefix \"\(prefix)\""
        logger.info(
            "pull pass \(pass.id) (\(pass.kind.rawValue))\(resumed ? ", resuming an interrupted run" : "") from \(endpoint)\(prefixNote)"
        )
        // Local work beside the LIST round trip: nothing is fetched before both are done, and
        // the listing only touches folder rows, the reconciler only messages and files.
        let reconciling = Task {
            try StoreReconciler(database: database, layout: layout, logger: logger).reconcile()
        }
        let listing: (IMAPClient, ([FolderRecord], [MailboxName: MailboxStatus]))
        do {
            listing = try await withReconnects(
                first: loggedIn, retry: options.retry, logger: logger, step: "listing the source's folders",
                control: control, jobStep: .pull,
                connect: { try await connect(logger: logger, password: password) }
            ) {
                try await recordFolders($0, database: database, passID: pass.id)
            }
        } catch {
            _ = await reconciling.result
            throw error
        }
        try await reconciling.value
        let (controlClient, (folders, listedStatus)) = listing
        let goneFolders = try database.markUnseenFoldersGone(passID: pass.id)
        for name in goneFolders { logger.warning("folder \"\(name)\" is gone at the source; its local copy is kept") }
        let (selectable, unchanged, plannedUIDNext) = await plan(
            folders.filter { $0.state == .active }, listedStatus: listedStatus, client: controlClient)
        progress.update { $0.foldersTotal = selectable.count }
        events.foldersListed(selectable)
        for folder in selectable { control.events.emit(.pull, .folderPlanned(folder: folder.name, target: nil)) }

        var archiver = PassArchiver(
            database: database, layout: layout, compression: options.compression, logger: logger)
        archiver.archiveKey = options.archiveKey
        // A fresh pass writes its archive as messages are committed; a resumed one at the end.
        let builder =
            resumed
            ? nil
            : PassArchiveBuilder(
                finalPath: try archiver.plannedPath(for: pass), compression: options.compression,
                archiveKey: options.archiveKey, logger: logger, maildirReads: context.maildirReads)
        var results = selectable.filter { unchanged.contains($0.id) }.map {
            PullSummary.FolderResult(
                name: $0.name, newMessages: 0, flagUpdates: 0, goneAtSource: 0, uidValidityChanged: false,
                unchanged: true)
        }
        progress.update { $0.foldersDone += results.count }
        for result in results {
            control.events.emit(.pull, .folderFinished(.init(folder: result.name, unchanged: true)))
        }
        if !results.isEmpty {
            logger.info(
                "\(results.count) of \(selectable.count) folders unchanged since their last complete pull (STATUS); not selected"
            )
        }
        let toPull = selectable.filter { !unchanged.contains($0.id) }
        events.willPull(toPull.count)
        do {
            results += try await pullFolders(
                toPull, first: controlClient, database: database,
                layout: layout, passID: pass.id, password: password, logger: logger,
                events: events, archive: builder, plannedUIDNext: plannedUIDNext, warm: warm,
                uploadBacklog: context.uploadBacklog)
        } catch {
            builder?.abandon()
            throw error
        }
        results.sort { $0.name < $1.name }
        let finished = Date()
        events.foldersPulled()
        logger.info("folders pulled in \(String(format: "%.2f", finished.timeIntervalSince(started))) s")
        try control.stop.check()
        let archive = try archiver.seal(pass, finishedAt: finished, built: builder)
        logger.info("archive sealed in \(String(format: "%.2f", Date().timeIntervalSince(finished))) s")
        let final = try database.pass(id: pass.id) ?? pass
        let issues = try database.issues(passID: pass.id).map {
            PullSummary.Issue(scope: $0.scope, folder: $0.folder, uid: $0.uid, reason: $0.reason)
        }
        logger.info(
            "pull done: \(final.messagesAdded) messages, \(final.bytesAdded) bytes, \(final.flagsChanged) flag updates, \(issues.count) issues"
        )
        return PullSummary(
            job: options.job, pass: pass.id, kind: pass.kind.rawValue, resumed: resumed, archive: archive,
            messages: final.messagesAdded, bytes: final.bytesAdded, flagUpdates: final.flagsChanged,
            seconds: finished.timeIntervalSince(started), folders: results, foldersGone: goneFolders,
            issues: issues, logFile: logFile)
    }

    /// `--source-prefix` if given, else the first personal namespace the server announces.
    private func namespacePrefix(_ client: IMAPClient) async throws -> String {
        if let prefix = options.sourcePrefix { return prefix }
        do {
            return try await client.namespace()?.personal.first?.prefix ?? ""
        } catch IMAPError.commandFailed {
            return ""  // a server that refuses NAMESPACE has no prefix to speak of
        }
    }

    private func connect(logger: Logger, password: String) async throws -> IMAPClient {
        try await IMAPClient.loggedIn(options.source, password: password, logger: logger)
    }

    /// One pipelined STATUS for all folders decides the order and what can be skipped:
    /// - the folders with the most to fetch go first (estimated from UIDNEXT against the highest
    ///   stored UID, in bytes when the server offers STATUS=SIZE), so the workers end together
    ///   instead of one pulling a big folder alone, and `migrate` starts uploading the bulk early;
    /// - with CONDSTORE, a folder whose UIDVALIDITY, UIDNEXT, message count and HIGHESTMODSEQ
    ///   are those of the SELECT that began its last complete pull has no new message, no
    ///   deletion and no flag change since: it is not selected at all (most of a no-op pass).
    ///   A message appended and another expunged moves UIDNEXT; an expunge alone lowers the
    ///   count; a flag change raises HIGHESTMODSEQ.
    /// Any failure keeps the LIST order and skips nothing.
    private func plan(
        _ folders: [FolderRecord], listedStatus: [MailboxName: MailboxStatus], client: IMAPClient
    ) async -> ([FolderRecord], Set<Int64>, [Int64: UInt32]) {
        let capabilities = await client.capabilities
        let withModSeq = capabilities.contains(.condStore)
        let names = folders.map { MailboxName(wire: Array($0.wireName)) }
        // LIST-STATUS answered them with the LIST: no round trip of its own.
        let listed = names.compactMap { listedStatus[$0] }
        let statuses: [MailboxStatus]
        if listed.count == names.count && listed.allSatisfy({ $0.uidValidity != nil && $0.uidNext != nil }) {
            statuses = listed
        } else if !folders.isEmpty,
            let asked = try? await client.statuses(of: names, items: Self.statusItems(capabilities)),
            asked.count == folders.count
        {
            statuses = asked
        } else {
            return (folders, [], [:])
        }
        var unchanged = Set<Int64>()
        var uidNext: [Int64: UInt32] = [:]
        for (folder, status) in zip(folders, statuses) {
            if let validity = status.uidValidity, folder.uidValidity == Int64(validity), let next = status.uidNext {
                uidNext[folder.id] = next
            }
            guard withModSeq, let validity = status.uidValidity, folder.uidValidity == Int64(validity),
                let next = status.uidNext, folder.syncedUIDNext == Int64(next),
                let messages = status.messages, folder.syncedMessages == Int64(messages),
                let modSeq = status.highestModSeq, let known = folder.highestModSeq, UInt64(bitPattern: known) == modSeq
            else { continue }
            unchanged.insert(folder.id)
        }
        func estimate(_ folder: FolderRecord, _ status: MailboxStatus) -> Double {
            let messages = Double(status.messages ?? 0)
            var new = messages
            if let validity = status.uidValidity, folder.uidValidity == Int64(validity), let next = status.uidNext {
                new = min(messages, Double(max(0, Int64(next) - 1 - folder.highestUID)))
            }
            guard let size = status.size, messages > 0 else { return new }
            return new * Double(size) / messages
        }
        let ordered = zip(folders, statuses).enumerated()
            .sorted { lhs, rhs in
                let (a, b) = (estimate(lhs.element.0, lhs.element.1), estimate(rhs.element.0, rhs.element.1))
                return a != b ? a > b : lhs.offset < rhs.offset
            }
            .map(\.element.0)
        return (ordered, unchanged, uidNext)
    }

    /// What `plan` needs of each folder; SIZE and HIGHESTMODSEQ where the server has them.
    static func statusItems(_ capabilities: Set<Capability>) -> [String] {
        ["MESSAGES", "UIDNEXT", "UIDVALIDITY"] + (capabilities.contains(.statusSize) ? ["SIZE"] : [])
            + (capabilities.contains(.condStore) ? ["HIGHESTMODSEQ"] : [])
    }

    /// LIST → folder rows: new folders inserted, known ones refreshed, each mapped to its Maildir
    /// path; with the STATUS of each folder where the server answers it with the LIST.
    private func recordFolders(
        _ client: IMAPClient, database: StateDatabase, passID: Int64
    ) async throws -> ([FolderRecord], [MailboxName: MailboxStatus]) {
        let (listings, statuses) = try await client.listWithStatus(Self.statusItems(await client.capabilities))
        let known = Dictionary(uniqueKeysWithValues: try database.folders().map { ($0.wireName, $0) })
        var seen: Set<Data> = []
        var changes: [FolderChange] = []
        for listing in listings {
            let wire = Data(listing.name.wireBytes)
            guard seen.insert(wire).inserted else { continue }
            let state: FolderRecord.State = listing.isSelectable ? .active : .unselectable
            let attributes = listing.attributes.joined(separator: " ")
            let separator = listing.separator.map(String.init)
            guard var folder = known[wire] else {
                changes.append(
                    .insert(
                        FolderRecord.New(
                            wireName: wire, name: listing.name.description, separator: separator,
                            attributes: attributes,
                            specialUse: listing.specialUse,
                            maildirPath: MaildirFolderPath.relativePath(
                                for: listing.name, separator: listing.separator),
                            state: state, pass: passID)))
                continue
            }
            folder.attributes = attributes
            folder.specialUse = listing.specialUse
            folder.separator = separator
            folder.state = state
            folder.lastSeenPass = passID
            changes.append(.update(folder))
        }
        // One transaction for the whole tree: each commit is an fsync, and no-op passes must stay fast.
        return (try database.saveFolders(changes), statuses)
    }

    /// Folders in parallel over up to `connections` logins; a folder that fails is reported
    /// and skipped, a dropped link is retried on a new connection with back-off.
    private func pullFolders(
        _ folders: [FolderRecord], first: IMAPClient, database: StateDatabase, layout: StoreLayout,
        passID: Int64, password: String, logger: Logger,
        events: PullEvents, archive: PassArchiveBuilder?, plannedUIDNext: [Int64: UInt32], warm: [WarmConnection],
        uploadBacklog: UploadBacklog
    ) async throws -> [PullSummary.FolderResult] {
        let options = self.options, progress = self.progress, control = self.control
        var workers = FolderWorkers<FolderRecord, PullSummary.FolderResult>(
            connections: options.connections, retries: options.retry.attempts, logger: logger,
            connect: { try await connect(logger: logger, password: password) },
            name: { $0.name },
            work: { client, folder, _ in
                events.folderStarted(folder.id)
                defer { events.folderEnded(folder.id) }
                return try await FolderPuller(
                    client: client, database: database, layout: layout, passID: passID,
                    options: options, progress: progress, logger: logger, control: control,
                    committed: events.committed, archive: archive, uploadBacklog: uploadBacklog,
                    plannedUIDNext: plannedUIDNext
                ).pull(folder)
            },
            skipped: { folder, error in
                try database.recordIssue(
                    PassIssueRecord(
                        passID: passID, scope: .folder, folder: folder.name, uid: nil, reason: error.description))
                progress.update { $0.foldersDone += 1 }
                control.events.emit(.pull, .folderFinished(.init(folder: folder.name, error: error.description)))
                return PullSummary.FolderResult(
                    name: folder.name, newMessages: 0, flagUpdates: 0, goneAtSource: 0,
                    uidValidityChanged: false, error: error.description)
            },
            progressMark: { progress.snapshot.progressMark })
        workers.baseDelay = options.retry.baseDelay
        workers.control = control
        workers.step = .pull
        workers.warm = warm
        return try await workers.run(folders, first: first).sorted { $0.name < $1.name }
    }
}
