import Foundation
import IMAPClient
import IMAPCore
import Logging
import MailStore

/// Compares the job's store (or the live source) with the target, folder by folder: counts,
/// message identity, flags, INTERNALDATE, and with `deep` the content hash.
///
/// Every stored folder is compared, mapped where push put it (the recorded mapping) or would
/// put it (the same `FolderMapping`): a folder missing on the target is a difference, and a
/// comparison that covers nothing is never "equal".
public struct VerifyEngine: Sendable {
    public var target: IMAPClientConfiguration
    public var source: IMAPClientConfiguration?
    public var storeRoot: String
    public var job: String
    public var deep: Bool
    public var rules: [FolderMapping.Rule]
    public var exclude: [String]
    public var sourcePrefix: String?
    public var targetPrefix: String?
    private let console: @Sendable (String) -> LogHandler

    public init(
        target: IMAPClientConfiguration, source: IMAPClientConfiguration? = nil, storeRoot: String, job: String,
        deep: Bool = false,
        rules: [FolderMapping.Rule] = [], exclude: [String] = [], sourcePrefix: String? = nil,
        targetPrefix: String? = nil,
        console: @escaping @Sendable (String) -> LogHandler = JobContext.warningsToStandardError
    ) {
        self.target = target; self.source = source; self.storeRoot = storeRoot; self.job = job; self.deep = deep
        self.rules = rules; self.exclude = exclude; self.sourcePrefix = sourcePrefix; self.targetPrefix = targetPrefix
        self.console = console
    }

    /// Opens the job and compares: the same as `MigrationJob.verify`.
    public func run(targetPassword: String, sourcePassword: String? = nil) async throws -> VerifyReport {
        try await MigrationJob(storeRoot: storeRoot, name: job, console: console)
            .verify(self, targetPassword: targetPassword, sourcePassword: sourcePassword)
    }

    /// Compares in an already opened job; `stop` is checked before each folder.
    public func run(
        targetPassword: String, sourcePassword: String?, context: JobContext, stop: StopToken = StopToken()
    ) async throws -> VerifyReport {
        let database = context.database
        let endpoint = target.endpoint
        let targetRecord = try database.target(host: endpoint.host, port: endpoint.port, user: endpoint.user)
        let targetClient = try await Self.connect(target, password: targetPassword, logger: context.logger)
        var sourceClient: IMAPClient?
        if let source, let sourcePassword {
            sourceClient = try await Self.connect(source, password: sourcePassword, logger: context.logger)
        }
        var report = VerifyReport(
            job: job, against: sourceClient == nil ? "store" : "source \(source!.endpoint)",
            target: endpoint.description,
            deep: deep, folders: [], problems: [], skipped: [])
        let map = try await TargetFolderMap.load(
            targetClient, rules: rules, exclude: exclude, sourcePrefix: sourcePrefix,
            targetPrefix: targetPrefix, database: database)
        let existing = map.existingNames
        let folders = try database.folders().filter { $0.state != .unselectable }
            .sorted {
                ($0.name.uppercased() == "INBOX" ? "" : $0.name) < ($1.name.uppercased() == "INBOX" ? "" : $1.name)
            }
        for folder in folders {
            try stop.check()
            let targetName: String
            if let recorded = try database.targetFolder(targetID: targetRecord.id, sourceFolderID: folder.id) {
                targetName = recorded.name
            } else {
                switch map.mapping.decide(
                    name: folder.name, separator: folder.separator.flatMap(\.first), specialUse: folder.specialUse)
                {
                case .excluded:
                    report.excluded.append(folder.name)
                    continue
                case .target(let name, _):
                    targetName = name
                }
            }
            let folderExists = existing.contains(targetName)
            var selected = SelectedMailbox(name: MailboxName(targetName))
            let sink = MessageViewSink(deep: deep)
            if folderExists {
                selected = try await targetClient.select(MailboxName(targetName), readOnly: true)
                if selected.exists > 0 {
                    try await targetClient.uidFetch([.all], items: MessageViewSink.items(deep: deep), into: sink)
                }
            }
            var comparison = FolderComparison(
                folder: folder.name, target: targetName, targetViews: sink.views, selected: selected, deep: deep)
            if !folderExists { comparison.markTargetFolderMissing() }
            if let sourceClient {
                let sourceSelected = try await sourceClient.select(
                    MailboxName(wire: Array(folder.wireName)), readOnly: true)
                let sourceSink = MessageViewSink(deep: deep)
                if sourceSelected.exists > 0 {
                    try await sourceClient.uidFetch([.all], items: MessageViewSink.items(deep: deep), into: sourceSink)
                }
                comparison.compare(sourceViews: sourceSink.views)
            } else {
                let uploads = try database.uploads(targetID: targetRecord.id, sourceFolderID: folder.id)
                let maildir = MaildirFolder(root: context.layout.maildir, relativePath: folder.maildirPath)
                try comparison.compare(
                    store: try database.allMessages(folderID: folder.id).filter { $0.sourceState == .present },
                    uploads: uploads, maildir: maildir)
            }
            report.folders.append(comparison.line)
            report.problems += comparison.problems
            report.skipped += comparison.skipped
            report.duplicates += comparison.duplicates
        }
        if report.folders.isEmpty {
            report.problems.append(
                .init(
                    folder: "", uid: nil, messageID: nil,
                    what: folders.isEmpty
                        ? "nothing to compare: the job has no folders (was it ever pulled?)"
                        : "nothing to compare: every folder is excluded"))
        }
        await targetClient.logout()
        await sourceClient?.logout()
        context.logger.info("verify: \(report.isEqual ? "equal" : "different, \(report.problems.count) problems")")
        return report
    }

    static func connect(
        _ configuration: IMAPClientConfiguration, password: String, logger: Logger
    ) async throws -> IMAPClient {
        try await IMAPClient.loggedIn(configuration, password: password, logger: logger)
    }
}
