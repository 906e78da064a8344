import Foundation
import Logging
import MailArchive
import MailStore

/// One job of a store, and the one way to run its steps: the CLI, batches, the web UI and
/// workers all call these. Each step takes the job's lock, opens a run in the job's ledger,
/// reports through `control.events`, stops when `control.stop` says so, and records how it
/// ended. Options name their store and job; the job's own are used.
public final class MigrationJob: Sendable {
    public let storeRoot: String
    public let name: String
    public let control: JobControl
    private let console: @Sendable (String) -> LogHandler

    public init(
        storeRoot: String, name: String, control: JobControl = JobControl(),
        console: @escaping @Sendable (String) -> LogHandler = JobContext.warningsToStandardError
    ) {
        self.storeRoot = storeRoot; self.name = name; self.control = control; self.console = console
    }

    public var layout: StoreLayout { StoreLayout(storeRoot: storeRoot, job: name) }

    public func pull(
        _ options: PullOptions, password: String, progress: TransferProgress = TransferProgress()
    ) async throws -> PullSummary {
        var options = options
        (options.storeRoot, options.job) = (storeRoot, name)
        let engine = PullEngine(options: options, progress: progress, control: control, console: console)
        return try await run(.pull, user: options.source.endpoint.user, mustExist: false) { context in
            try await engine.run(password: password, context: context)
        }
    }

    public func push(
        _ options: PushOptions, password: String, progress: TransferProgress = TransferProgress()
    ) async throws -> PushSummary {
        var options = options
        (options.storeRoot, options.job) = (storeRoot, name)
        let engine = PushEngine(options: options, progress: progress, control: control, console: console)
        return try await run(.push, user: options.target.endpoint.user, mustExist: true) { context in
            try await engine.run(password: password, context: context)
        }
    }

    public func migrate(
        pull: PullOptions, push: PushOptions, sourcePassword: String, targetPassword: String,
        pullProgress: TransferProgress = TransferProgress(),
        pushProgress: TransferProgress = TransferProgress()
    ) async throws -> MigrateEngine.Summary {
        var (pull, push) = (pull, push)
        (pull.storeRoot, pull.job, push.storeRoot, push.job) = (storeRoot, name, storeRoot, name)
        let engine = MigrateEngine(
            pull: pull, push: push, progress: pullProgress, pushProgress: pushProgress,
            control: control, console: console)
        return try await run(.migrate, user: pull.source.endpoint.user, mustExist: false) { context in
            try await engine.run(sourcePassword: sourcePassword, targetPassword: targetPassword, context: context)
        }
    }

    public func verify(
        _ engine: VerifyEngine, targetPassword: String, sourcePassword: String?
    ) async throws -> VerifyReport {
        var engine = engine
        (engine.storeRoot, engine.job) = (storeRoot, name)
        let stop = control.stop
        return try await run(.verify, user: engine.target.endpoint.user, mustExist: true) { [engine] context in
            try await engine.run(
                targetPassword: targetPassword, sourcePassword: sourcePassword, context: context, stop: stop)
        }
    }

    public func restore(
        archives: [String], push: PushOptions, targetPassword: String,
        progress: TransferProgress = TransferProgress(), archiveKey: ArchiveKey? = nil
    ) async throws -> RestoreEngine.Summary {
        var push = push
        (push.storeRoot, push.job) = (storeRoot, name)
        var engine = RestoreEngine(archives: archives, push: push, progress: progress, console: console)
        engine.archiveKey = archiveKey
        let control = self.control
        return try await run(.restore, user: push.target.endpoint.user, mustExist: false) { context in
            try await engine.run(targetPassword: targetPassword, context: context, control: control)
        }
    }

    /// The job's runs, oldest first, each with the issues it met.
    public func history() throws -> [RunHistoryEntry] {
        guard FileManager.default.fileExists(atPath: layout.database) else {
            throw StoreError.unknownJob(store: storeRoot, job: name)
        }
        let database = try StateDatabase(path: layout.database)
        return try database.runs().map { run in
            RunHistoryEntry(run: run, issues: try database.issues(runID: run.id!))
        }
    }

    private func run<T: StepResult>(
        _ step: JobStep, user: String, mustExist: Bool,
        _ body: (JobContext) async throws -> T
    ) async throws -> T {
        let layout = self.layout
        if mustExist && !FileManager.default.fileExists(atPath: layout.database) {
            throw StoreError.unknownJob(store: storeRoot, job: name)
        }
        let context: JobContext
        do {
            context = try JobContext(storeRoot: storeRoot, job: name, step: step.rawValue, user: user, console: console)
        } catch {
            throw StateDatabase.translate(error, path: layout.database)
        }
        defer { context.close() }
        let runID = try context.database.beginRun(kind: step.rawValue)
        // What moved, from the events: a run that stops or fails still records its counts.
        let tally = RunTally()
        control.events.subscribe(tally.count)
        defer { tally.close() }
        control.events.emit(step, .stepStarted)
        do {
            let result = try await body(context)
            try context.database.finishRun(runID, result.ledgerCounts)
            context.logger.info("\(step.rawValue) ended: \(result.outcome.word) (exit \(result.outcome.exitCode))")
            control.events.emit(step, .stepFinished(outcome: result.outcome))
            return result
        } catch {
            let translated = StateDatabase.translate(error, path: layout.database)
            let outcome = JobOutcome(ending: translated)
            var ending = tally.ending(outcome: outcome.word)
            if case .failed(let failure) = outcome {
                ending.failureKind = failure.kind.rawValue
                ending.message = failure.message
            }
            try? context.database.finishRun(runID, ending)
            context.logger.notice("\(step.rawValue) ended: \(outcome.word) (exit \(outcome.exitCode))")
            control.events.emit(step, .stepFinished(outcome: outcome))
            throw translated
        }
    }
}

/// A run and the issues it met.
public struct RunHistoryEntry: Sendable, Encodable {
    public var run: RunRecord
    public var issues: [PassIssueRecord]
}
