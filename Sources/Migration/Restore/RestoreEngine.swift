import Foundation
import Logging
import MailArchive
import MailStore

/// Replays a chain of archives into any IMAP account, exactly once, with no live source:
/// the archives are imported into a job of the store, then pushed like a pull.
public struct RestoreEngine: Sendable {
    public let archives: [String]
    public let push: PushOptions
    public let progress: TransferProgress
    /// Opens the chain's encrypted archives.
    public var archiveKey: ArchiveKey?
    private let console: @Sendable (String) -> LogHandler

    public init(
        archives: [String], push: PushOptions, progress: TransferProgress = TransferProgress(),
        console: @escaping @Sendable (String) -> LogHandler = JobContext.warningsToStandardError
    ) {
        self.archives = archives; self.push = push; self.progress = progress; self.console = console
    }

    public struct Summary: Codable, Sendable {
        public var archives: Int
        public var imported: Int
        public var flagUpdates: Int
        public var push: PushSummary
        public var hasFailures: Bool { push.hasFailures }
        public var text: String {
            "Imported   \(imported) messages and \(flagUpdates) flag updates from \(archives) archive(s)\n\n"
                + push.text
        }
    }

    /// Opens the job and restores: the same as `MigrationJob.restore`.
    public func run(targetPassword: String) async throws -> Summary {
        try await MigrationJob(storeRoot: push.storeRoot, name: push.job, console: console)
            .restore(archives: archives, push: push, targetPassword: targetPassword, progress: progress)
    }

    /// Imports and pushes in an already opened job.
    public func run(
        targetPassword: String, context: JobContext, control: JobControl = JobControl()
    ) async throws -> Summary {
        let imported = try ArchiveImporter(context: context, key: archiveKey).importChain(archives)
        try control.stop.check()
        let pushed = try await PushEngine(options: push, progress: progress, control: control, console: console)
            .run(password: targetPassword, context: context)
        return Summary(
            archives: imported.archives, imported: imported.messages, flagUpdates: imported.flagUpdates, push: pushed)
    }
}
