import Foundation
import Logging
import MailStore

/// Pull and push together: upload rounds start as soon as the first messages are committed
/// and repeat while the pull runs; a last round follows the sealed pull pass.
public struct MigrateEngine: Sendable {
    public let pull: PullOptions
    public let push: PushOptions
    public let progress: TransferProgress
    public let pushProgress: TransferProgress
    private let console: @Sendable (String) -> LogHandler

    public init(pull: PullOptions, push: PushOptions, progress: TransferProgress = TransferProgress(),
                pushProgress: TransferProgress = TransferProgress(),
                console: @escaping @Sendable (String) -> LogHandler = JobContext.warningsToStandardError) {
        self.pull = pull; self.push = push; self.progress = progress; self.pushProgress = pushProgress; self.console = console
    }

    public struct Summary: Codable, Sendable {
        public var pull: PullSummary
        public var push: PushSummary
        public var pushRounds: Int
        public var hasFailures: Bool { pull.hasFailures || push.hasFailures }
        public var text: String { pull.text + "\n\n" + push.text }
    }

    public func run(sourcePassword: String, targetPassword: String) async throws -> Summary {
        let layout = StoreLayout(storeRoot: pull.storeRoot, job: pull.job)
        do {
            let context = try JobContext(storeRoot: pull.storeRoot, job: pull.job, step: "migrate",
                                         user: pull.source.endpoint.user, console: console)
            defer { context.close() }
            return try await run(sourcePassword: sourcePassword, targetPassword: targetPassword, context: context)
        } catch {
            throw StateDatabase.translate(error, path: layout.database)
        }
    }

    private func run(sourcePassword: String, targetPassword: String, context: JobContext) async throws -> Summary {
        let pullEngine = PullEngine(options: pull, progress: progress, console: console)
        let pushEngine = PushEngine(options: push, progress: pushProgress, console: console)
        // Set when every message is stored (the archive may still be being sealed), or on failure.
        let finished = CompletionFlag()
        let pulling = Task {
            defer { finished.set() }
            return try await pullEngine.run(password: sourcePassword, context: context, foldersPulled: { finished.set() })
        }
        var rounds: [PushSummary] = []
        var lastCount = 0
        // Upload while pulling: a round whenever new messages were committed since the last one.
        while !finished.isSet {
            // Wake within 25 ms of the pull finishing (a no-op pass takes a fraction of a second),
            // but start an upload round at most every 300 ms.
            for _ in 0..<12 where !finished.isSet { try await Task.sleep(for: .milliseconds(25)) }
            let stored = progress.snapshot.messagesDone
            if stored > lastCount && !finished.isSet {
                lastCount = stored
                do {
                    rounds.append(try await pushEngine.run(password: targetPassword, context: context))
                } catch {
                    pulling.cancel()
                    _ = try? await pulling.value
                    throw error
                }
            }
        }
        // The last round overlaps the sealing of the archive; a pull failure still wins.
        let lastRound: PushSummary
        do {
            lastRound = try await pushEngine.run(password: targetPassword, context: context)
        } catch {
            _ = try await pulling.value
            throw error
        }
        let pullSummary = try await pulling.value
        rounds.append(lastRound)
        return Summary(pull: pullSummary, push: PushSummary.merging(rounds), pushRounds: rounds.count)
    }
}

/// Set once, read from anywhere.
final class CompletionFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.lock(); value = true; lock.unlock() }
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return value }
}

extension PushSummary {
    /// Several upload rounds reported as one: counts added, the last round's folder view kept.
    static func merging(_ rounds: [PushSummary]) -> PushSummary {
        var merged = rounds.last!
        merged.uploaded = rounds.reduce(0) { $0 + $1.uploaded }
        merged.adopted = rounds.reduce(0) { $0 + $1.adopted }
        merged.skipped = rounds.reduce(0) { $0 + $1.skipped }
        merged.flagUpdates = rounds.reduce(0) { $0 + $1.flagUpdates }
        merged.seconds = rounds.reduce(0) { $0 + $1.seconds }
        merged.issues = rounds.flatMap(\.issues)
        var byFolder: [String: FolderResult] = [:]
        for folder in rounds.flatMap(\.folders) {
            if var known = byFolder[folder.source] {
                known.uploaded += folder.uploaded; known.adopted += folder.adopted; known.skipped += folder.skipped
                known.flagUpdates += folder.flagUpdates; known.deleted += folder.deleted; known.error = folder.error ?? known.error
                byFolder[folder.source] = known
            } else {
                byFolder[folder.source] = folder
            }
        }
        merged.folders = byFolder.values.sorted { $0.source < $1.source }
        return merged
    }
}
