import Foundation
import Logging
import MailStore

/// Pull and push together: each folder's messages are uploaded as soon as their group commit
/// is durable, while the pull goes on; a last round follows the end of the pull.
public struct MigrateEngine: Sendable {
    public let pull: PullOptions
    public let push: PushOptions
    public let progress: TransferProgress
    public let pushProgress: TransferProgress
    public let control: JobControl
    private let console: @Sendable (String) -> LogHandler

    public init(
        pull: PullOptions, push: PushOptions, progress: TransferProgress = TransferProgress(),
        pushProgress: TransferProgress = TransferProgress(), control: JobControl = JobControl(),
        console: @escaping @Sendable (String) -> LogHandler = JobContext.warningsToStandardError
    ) {
        self.pull = pull; self.push = push; self.progress = progress; self.pushProgress = pushProgress
        self.control = control; self.console = console
    }

    public struct Summary: Codable, Sendable {
        public var pull: PullSummary
        public var push: PushSummary
        public var pushRounds: Int
        /// Messages appended while the pull was still running (before the last round).
        public var uploadedWhilePulling: Int
        /// Flag changes applied on the target while the pull was still running.
        public var flagUpdatesWhilePulling = 0
        /// Times a pull connection waited for the uploads to catch up (`UploadBacklog`).
        public var pullWaitsForUploads = 0
        public var hasFailures: Bool { pull.hasFailures || push.hasFailures }
        public var text: String { pull.text + "\n\n" + push.text }
    }

    /// Opens the job and migrates: the same as `MigrationJob.migrate`.
    public func run(sourcePassword: String, targetPassword: String) async throws -> Summary {
        try await MigrationJob(storeRoot: pull.storeRoot, name: pull.job, control: control, console: console)
            .migrate(
                pull: pull, push: push, sourcePassword: sourcePassword, targetPassword: targetPassword,
                pullProgress: progress, pushProgress: pushProgress)
    }

    func run(sourcePassword: String, targetPassword: String, context: JobContext) async throws -> Summary {
        // The pull has a stop of its own: a failed push stops it at its next commit instead of
        // waiting for the whole pull.
        let pullControl = control.withChildStop()
        context.uploadBacklog.limitBytes = pull.aheadOfUploadsLimit
        let pullEngine = PullEngine(options: pull, progress: progress, control: pullControl, console: console)
        var pushEngine = PushEngine(options: push, progress: pushProgress, control: control, console: console)
        let warm = WarmConnection { [pushEngine] in
            let client = try await pushEngine.connect(context.logger, password: targetPassword)
            // The first round's LIST and STATUS, while the pull logs in and plans.
            if let listing = try? await TargetListing.fetch(client) { pushEngine.listings.store(listing) }
            return client
        }
        pushEngine.warmConnection = warm
        defer { Task { await warm.discard() } }
        let feed = PullFeed()
        let pulling = Task {
            // A failed pull ends the upload that follows it, too.
            defer { feed.finish() }
            return try await pullEngine.run(password: sourcePassword, context: context, events: feed.events)
        }
        var rounds: [PushSummary] = []
        var uploadedWhilePulling = 0, flagUpdatesWhilePulling = 0
        do {
            // Upload each folder's messages as soon as their group commit is durable.
            if let following = try await pushEngine.follow(feed, password: targetPassword, context: context) {
                rounds.append(following)
                uploadedWhilePulling = following.uploaded
                flagUpdatesWhilePulling = following.flagUpdates
            }
        } catch {
            throw await endPull(pulling, control: pullControl, after: error)
        }
        // The last round (flags, deletions, whatever the following round left) overlaps the
        // sealing of the archive; a pull failure still wins.
        let lastRound: PushSummary
        do {
            try control.stop.check()
            lastRound = try await pushEngine.run(password: targetPassword, context: context)
        } catch {
            throw await endPull(pulling, control: pullControl, after: error)
        }
        let pullSummary = try await pulling.value
        rounds.append(lastRound)
        return Summary(
            pull: pullSummary, push: PushSummary.merging(rounds), pushRounds: rounds.count,
            uploadedWhilePulling: uploadedWhilePulling, flagUpdatesWhilePulling: flagUpdatesWhilePulling,
            pullWaitsForUploads: context.uploadBacklog.waitTotals.count)
    }
}

/// The push failed (or was stopped): stop the pull at its next commit and wait for it. A pull
/// failure of its own (not the stop just asked for) is what the run reports.
private func endPull(_ pulling: Task<PullSummary, Error>, control: JobControl, after pushError: Error) async -> Error {
    control.stop.requestStop()
    do {
        _ = try await pulling.value
    } catch is JobStopped {
    } catch {
        return error
    }
    return pushError
}

extension PushSummary {
    /// Several upload rounds reported as one: counts added, the last round's folder view kept.
    static func merging(_ rounds: [PushSummary]) -> PushSummary {
        var merged = rounds.last!
        merged.uploaded = rounds.reduce(0) { $0 + $1.uploaded }
        merged.adopted = rounds.reduce(0) { $0 + $1.adopted }
        merged.skipped = rounds.reduce(0) { $0 + $1.skipped }
        merged.flagUpdates = rounds.reduce(0) { $0 + $1.flagUpdates }
        merged.bytes = rounds.reduce(0) { $0 + $1.bytes }
        merged.seconds = rounds.reduce(0) { $0 + $1.seconds }
        merged.roundTrips = rounds.reduce(0) { $0 + $1.roundTrips }
        merged.issues = rounds.flatMap(\.issues)
        var byFolder: [String: FolderResult] = [:]
        for folder in rounds.flatMap(\.folders) {
            if var known = byFolder[folder.source] {
                known.uploaded += folder.uploaded; known.adopted += folder.adopted; known.skipped += folder.skipped
                known.flagUpdates += folder.flagUpdates; known.deleted += folder.deleted; known.bytes += folder.bytes
                known.error = folder.error ?? known.error
                byFolder[folder.source] = known
            } else {
                byFolder[folder.source] = folder
            }
        }
        merged.folders = byFolder.values.sorted { $0.source < $1.source }
        return merged
    }
}
