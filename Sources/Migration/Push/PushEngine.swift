import Foundation
import IMAPClient
import IMAPCore
import Logging
import MailStore

/// Uploads what the job's manifest has not yet uploaded to a target: folders mapped and
/// created, messages appended exactly once, flag changes applied. Running it twice changes
/// nothing the second time.
public struct PushEngine: Sendable {
    public let options: PushOptions
    public let progress: TransferProgress
    public let control: JobControl
    private let console: @Sendable (String) -> LogHandler
    private let announced = AnnouncedFolders()
    /// The target's folders as the last round (or the connection opened ahead) listed them.
    let listings = TargetListingCache()
    /// A connection `migrate` opened ahead of the first round.
    var warmConnection: WarmConnection?

    public init(
        options: PushOptions, progress: TransferProgress = TransferProgress(), control: JobControl = JobControl(),
        console: @escaping @Sendable (String) -> LogHandler = JobContext.warningsToStandardError
    ) {
        self.options = options; self.progress = progress; self.control = control; self.console = console
    }

    /// Opens the job and runs one push: the same as `MigrationJob.push`.
    public func run(password: String) async throws -> PushSummary {
        try await MigrationJob(storeRoot: options.storeRoot, name: options.job, control: control, console: console)
            .push(options, password: password, progress: progress)
    }

    /// One push round in an opened job; `migrate` calls it repeatedly while pulling.
    public func run(password: String, context: JobContext) async throws -> PushSummary {
        let started = Date()
        try control.stop.check()
        let (target, issues, controlClient, plan) = try await openRound(context: context, password: password)
        let work = try await foldersWithWork(
            plan.folders, listedStatus: plan.listedStatus, client: controlClient, context: context, target: target)
        let idle = plan.folders.filter { folder, _ in !work.contains { $0.0.id == folder.id } }.map { folder, name in
            PushSummary.FolderResult(
                source: folder.name, target: name, uploaded: 0, adopted: 0, skipped: 0, flagUpdates: 0, deleted: 0)
        }
        for folder in idle {
            control.events.emit(.push, .folderFinished(.init(folder: folder.source, unchanged: true)))
        }
        let (pushed, roundTrips) = try await pushFolders(
            work, first: controlClient, context: context, target: target, password: password, issues: issues)
        var summary = self.summary(
            pushed + idle + plan.failed, excluded: plan.excluded, issues: issues, started: started, context: context)
        summary.roundTrips = roundTrips
        context.logger.info(
            "push done: \(summary.uploaded) uploaded, \(summary.adopted) already there, \(summary.skipped) skipped, \(summary.flagUpdates) flag updates; \(roundTrips) round trips to the target"
        )
        return summary
    }

    /// A round's start: the target's row, a login, the folder plan (folders created), and the
    /// plan announced and counted. `migrate`'s rounds plan the same folders: counted once.
    func openRound(
        context: JobContext, password: String
    ) async throws -> (target: TargetRecord, issues: IssueLog, client: IMAPClient, plan: Plan) {
        let endpoint = options.target.endpoint
        let target = try context.database.target(host: endpoint.host, port: endpoint.port, user: endpoint.user)
        let issues = IssueLog()
        let (client, plan) = try await withReconnects(
            retry: options.retry, logger: context.logger, step: "planning the target's folders",
            control: control, jobStep: .push,
            connect: { try await connect(context.logger, password: password) }
        ) {
            try await planFolders($0, context: context, issues: issues)
        }
        progress.update { $0.foldersTotal = plan.folders.count }
        announce(plan)
        return (target, issues, client, plan)
    }

    /// `folder-planned` for the folders no earlier round of this engine announced (`migrate`'s
    /// uploads while pulling come first).
    func announce(_ plan: Plan) {
        for (folder, name) in plan.folders where announced.insert(folder.id) {
            control.events.emit(.push, .folderPlanned(folder: folder.name, target: name))
        }
    }

    /// Folder results added up into a round's summary.
    func summary(
        _ results: [PushSummary.FolderResult], excluded: [String], issues: IssueLog, started: Date, context: JobContext
    ) -> PushSummary {
        let counts = results.reduce(into: (uploaded: 0, adopted: 0, skipped: 0, flags: 0, bytes: Int64(0))) {
            $0.uploaded += $1.uploaded; $0.adopted += $1.adopted; $0.skipped += $1.skipped; $0.flags += $1.flagUpdates;
            $0.bytes += $1.bytes
        }
        return PushSummary(
            job: options.job, target: options.target.endpoint.description,
            folders: results.sorted { $0.source < $1.source },
            excluded: excluded, uploaded: counts.uploaded, bytes: counts.bytes, adopted: counts.adopted,
            skipped: counts.skipped, flagUpdates: counts.flags, seconds: Date().timeIntervalSince(started),
            issues: issues.all, logFile: context.logFile)
    }

    func connect(_ logger: Logger, password: String) async throws -> IMAPClient {
        if let warmConnection, let client = try await warmConnection.take() { return client }
        return try await IMAPClient.loggedIn(options.target, password: password, logger: logger)
    }

    struct Plan {
        var folders: [(FolderRecord, String)] = []
        var excluded: [String] = []
        var failed: [PushSummary.FolderResult] = []
        /// STATUS (MESSAGES UIDVALIDITY) of the listed target folders, by name, asked while planning.
        var listedStatus: [String: MailboxStatus] = [:]
    }

    /// Maps every stored folder, then creates and subscribes the missing targets; a folder
    /// that cannot be created is reported and skipped.
    func planFolders(
        _ client: IMAPClient, context: JobContext, issues: IssueLog
    ) async throws -> Plan {
        var listing: TargetListing
        if let fresh = await listings.take() {
            listing = fresh
            context.logger.info(
                "the target's folders as listed \(String(format: "%.1f", -fresh.fetchedAt.timeIntervalSinceNow)) s ago are used; not listed again"
            )
        } else {
            listing = try await TargetListing.fetch(client)
        }
        let map = try TargetFolderMap(
            fetched: listing.folders, rules: options.rules, exclude: options.exclude,
            sourcePrefix: options.sourcePrefix,
            targetPrefix: options.targetPrefix, database: context.database)
        let mapping = map.mapping
        var existing = map.existingNames.union(listing.created)
        if !mapping.sourcePrefix.isEmpty || !mapping.targetPrefix.isEmpty {
            context.logger.info(
                "namespace prefixes: source \"\(mapping.sourcePrefix)\", target \"\(mapping.targetPrefix)\"")
        }
        var plan = Plan()
        for folder in try context.database.folders() where folder.state != .unselectable {
            switch mapping.decide(
                name: folder.name, separator: folder.separator.flatMap(\.first), specialUse: folder.specialUse)
            {
            case .excluded:
                plan.excluded.append(folder.name)
            case .target(let name, let reason):
                if !existing.contains(name) {
                    do {
                        try await client.create(MailboxName(name))
                        try? await client.subscribe(MailboxName(name))
                        existing.insert(name)
                        listing.created.insert(name)
                    } catch IMAPError.commandFailed(_, _, _, let response) where response.code == .alreadyExists {
                        // Created since the listing was made (by another session or client).
                        existing.insert(name)
                        listing.created.insert(name)
                    } catch let error as IMAPError where error.scope != .account {
                        let reason = "cannot create the target folder \"\(name)\": \(error)"
                        context.logger.error("\(folder.name): \(reason)")
                        try context.database.recordIssue(
                            PassIssueRecord(passID: 0, scope: .folder, folder: folder.name, uid: nil, reason: reason))
                        issues.append(PullSummary.Issue(scope: .folder, folder: folder.name, uid: nil, reason: reason))
                        plan.failed.append(
                            PushSummary.FolderResult(
                                source: folder.name, target: name, uploaded: 0, adopted: 0, skipped: 0,
                                flagUpdates: 0, deleted: 0, error: reason))
                        continue
                    }
                }
                context.logger.info("\(folder.name) → \(name) (\(reason))")
                plan.folders.append((folder, name))
            }
        }
        // STATUS of the listed folders came with the listing (their UIDVALIDITY, for `foldersWithWork`).
        plan.listedStatus = listing.statuses
        listings.store(listing)
        return plan
    }

    /// Drops folders with nothing to push whose target folder is unchanged (same UIDVALIDITY,
    /// one pipelined STATUS for all), so a no-op push costs a LIST, a STATUS round and queries.
    private func foldersWithWork(
        _ folders: [(FolderRecord, String)], listedStatus: [String: MailboxStatus], client: IMAPClient,
        context: JobContext, target: TargetRecord
    ) async throws -> [(FolderRecord, String)] {
        let mappings = try context.database.targetFolders(targetID: target.id)
        let known = folders.filter { folder, name in
            mappings[folder.id]?.name == name && mappings[folder.id]?.uidValidity != nil
        }
        guard !known.isEmpty else { return folders }
        let statuses: [MailboxStatus]
        do {
            let planned = known.compactMap { listedStatus[$0.1] }
            statuses =
                planned.count == known.count && planned.allSatisfy({ $0.uidValidity != nil })
                ? planned : try await client.statuses(of: known.map { MailboxName($0.1) }, items: ["UIDVALIDITY"])
        } catch let error as IMAPError where error.scope != .account || error.isTransient {
            return folders  // a target folder vanished, or the link dropped: every folder the long way
        }
        var unchanged = Set<Int64>()
        for ((folder, _), status) in zip(known, statuses)
        where status.uidValidity.map(Int64.init) == mappings[folder.id]?.uidValidity {
            let needsPush =
                try context.database.folderNeedsPush(
                    targetID: target.id, folderID: folder.id, propagateDeletes: options.propagateDeletes)
                || context.database.owesLateCopySweep(targetID: target.id, folderID: folder.id)
            if !needsPush {
                unchanged.insert(folder.id)
            }
        }
        progress.update { $0.foldersDone += unchanged.count }
        return folders.filter { !unchanged.contains($0.0.id) }
    }

    private func pushFolders(
        _ folders: [(FolderRecord, String)], first: IMAPClient, context: JobContext, target: TargetRecord,
        password: String, issues: IssueLog
    ) async throws -> (results: [PushSummary.FolderResult], roundTrips: Int) {
        let progress = self.progress, events = control.events
        let workers = folderWorkers(
            context: context, target: target, password: password, issues: issues, countsFolder: true
        ) { plan, error in
            let reason = error.description
            events.emit(.push, .folderFinished(.init(folder: plan.folder.name, error: reason)))
            try context.database.recordIssue(
                PassIssueRecord(passID: 0, scope: .folder, folder: plan.folder.name, uid: nil, reason: reason))
            issues.append(PullSummary.Issue(scope: .folder, folder: plan.folder.name, uid: nil, reason: reason))
            progress.update { $0.foldersDone += 1 }
            return PushSummary.FolderResult(
                source: plan.folder.name, target: plan.targetName, uploaded: 0, adopted: 0, skipped: 0,
                flagUpdates: 0, deleted: 0, error: reason)
        }
        let results = try await workers.run(folders.map { FolderPlan(folder: $0.0, targetName: $0.1) }, first: first)
        return (results, workers.roundTrips.total)
    }

    /// Workers that push folders over up to `options.connections` logins; `skipped` handles a
    /// folder that failed on its own.
    func folderWorkers(
        context: JobContext, target: TargetRecord, password: String, issues: IssueLog, countsFolder: Bool,
        afterSelect: (@Sendable (FolderPlan) async throws -> Void)? = nil,
        skipped: @escaping @Sendable (FolderPlan, IMAPError) throws -> PushSummary.FolderResult
    )
        -> FolderWorkers<FolderPlan, PushSummary.FolderResult>
    {
        let options = self.options, progress = self.progress, logger = context.logger, control = self.control
        var workers = FolderWorkers(
            connections: options.connections, retries: options.retry.attempts, logger: logger,
            connect: { try await connect(logger, password: password) },
            name: { $0.folder.name },
            work: { client, plan, claim in
                var pusher = FolderPusher(
                    client: client, context: context, target: target, options: options, progress: progress,
                    issues: issues, control: control)
                pusher.countsFolder = countsFolder
                pusher.nextTarget = { await claim.claim()?.targetName }
                if let afterSelect { pusher.afterSelect = { try await afterSelect(plan) } }
                return try await pusher.push(plan.folder, to: plan.targetName)
            },
            skipped: skipped,
            progressMark: { progress.snapshot.progressMark })
        workers.baseDelay = options.retry.baseDelay
        workers.control = control
        workers.step = .push
        return workers
    }
}

/// A source folder and the target folder it is pushed to.
struct FolderPlan: Sendable {
    let folder: FolderRecord
    let targetName: String
    /// Taken while the pull was still fetching it: its first commit is waited for after SELECT.
    var waitsForCommit = false
}

/// Folder ids an engine has emitted `folder-planned` for.
final class AnnouncedFolders: @unchecked Sendable {
    private let lock = NSLock()
    private var ids: Set<Int64> = []
    func insert(_ id: Int64) -> Bool { lock.lock(); defer { lock.unlock() }; return ids.insert(id).inserted }
}
