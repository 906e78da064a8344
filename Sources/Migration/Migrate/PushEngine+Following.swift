import Foundation
import IMAPClient
import Logging
import MailStore

extension PushEngine {
    /// Uploads while a pull is still storing: each connection takes the folder with the most
    /// newly committed bytes (or, with none waiting, one the pull is on, and waits for its first
    /// commit), appends what is there, and lets go of it, until the pull is over. Flags,
    /// deletions and anything left are the business of the regular round that follows.
    /// Returns nil when the pull selects no folder (a no-op pass costs no login).
    func follow(_ feed: PullFeed, password: String, context: JobContext) async throws -> PushSummary? {
        // Once the pull has planned folders, the round starts: its workers log in and select
        // the folders being pulled while the pull fetches them, so each first commit goes out
        // at once. A pull that selects nothing costs no login.
        guard try await feed.waitForPlan() else { return nil }
        let options = self.options, logger = context.logger
        let warm = (1..<max(1, options.connections)).map { _ in
            WarmConnection { try await IMAPClient.loggedIn(options.target, password: password, logger: logger) }
        }
        let started = Date()
        let (target, issues, controlClient, plan) = try await openRound(context: context, password: password)
        let plans = Dictionary(
            uniqueKeysWithValues: plan.folders.map { ($0.0.id, FolderPlan(folder: $0.0, targetName: $0.1)) })
        // The pull keeps within reach of these uploads (`UploadBacklog`) while they run.
        let backlog = context.uploadBacklog
        backlog.follow(Set(plans.keys))
        defer { backlog.stopFollowingAll() }
        var workers = folderWorkers(
            context: context, target: target, password: password, issues: issues, countsFolder: false,
            afterSelect: { plan in if plan.waitsForCommit { try await feed.waitForCommit(plan.folder.id) } }
        ) { plan, _ in
            // Not recorded here: the final round tries the folder again and reports it.
            feed.exclude(plan.folder.id)
            backlog.stopFollowing(plan.folder.id)
            return PushSummary.FolderResult(
                source: plan.folder.name, target: plan.targetName, uploaded: 0, adopted: 0, skipped: 0,
                flagUpdates: 0, deleted: 0)
        }
        workers.warm = warm
        if let warmConnection {
            // The last round starts right after: one of these logins serves it.
            workers.keepConnection = { client in
                guard await client.isConnected, warmConnection.offer(client) else { return false }
                logger.info("a target connection of the uploads while pulling is kept for the last round")
                return true
            }
        }
        let results = try await workers.run(
            FollowedFolders(feed: feed, plans: plans), workers: options.connections, first: controlClient)
        var summary = self.summary(results, excluded: plan.excluded, issues: issues, started: started, context: context)
        summary.roundTrips = workers.roundTrips.total
        let waits = backlog.waitTotals
        let waitNote =
            waits.count == 0
            ? ""
            : "; the pull waited \(waits.count) times (\(String(format: "%.2f", waits.seconds)) s in all) to stay within \(UploadBacklog.describe(bytes: backlog.limitBytes)) of them"
        context.logger.info(
            "uploaded while pulling: \(summary.uploaded) messages in \(String(format: "%.2f", summary.seconds)) s; \(summary.roundTrips) round trips to the target\(waitNote)"
        )
        return summary
    }
}

/// The folders a running pull has filled, handed out as their messages become durable.
private struct FollowedFolders: WorkSource {
    let feed: PullFeed
    let plans: [Int64: FolderPlan]
    private let candidates: Set<Int64>

    init(feed: PullFeed, plans: [Int64: FolderPlan]) {
        self.feed = feed; self.plans = plans
        candidates = Set(plans.keys)
    }

    /// A folder with commits waiting; else, rather than idle, one the pull is on, selected on
    /// the target while the pull fetches so that its first commit goes out at once (a round
    /// trip per folder saved on a far link).
    func next() async throws -> FolderPlan? {
        while true {
            if let plan = nextIfReady() { return plan }
            if feed.isFinished { return feed.claim(among: candidates).flatMap { plans[$0] } }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    func nextIfReady() -> FolderPlan? {
        if let id = feed.claim(among: candidates) { return plans[id] }
        if let id = feed.claimBeingPulled(among: candidates), var plan = plans[id] {
            plan.waitsForCommit = true
            return plan
        }
        return nil
    }

    func finished(_ item: FolderPlan) async { feed.release(item.folder.id) }
}
