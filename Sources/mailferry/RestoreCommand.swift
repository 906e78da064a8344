import ArgumentParser
import Foundation
import IMAPClient
import MailStore
import Migration

struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Replay archives (a full one, then its deltas) into any IMAP account, exactly once.",
        discussion: """
            The archives are loaded into a restore job of the store (default restore-<target user>), then uploaded; run it \
            again and nothing is uploaded twice. --propagate-deletes also deletes on the target what a later archive \
            records as deleted at the source.
            Target password: --target-password-file (first line), else MAILFERRY_TARGET_PASSWORD, else a prompt.

            Examples:
              mailferry restore mailferry-data/JOB/archives/*.tar --target imaps://someone@elsewhere.example
              mailferry restore full.tar delta.tar --target imaps://someone@elsewhere.example --propagate-deletes
            """)

    @Argument(help: "Archives written by pull: the full one and any deltas, in any order.") var archives: [String]
    @OptionGroup var targetOptions: TargetOptions
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var sourceNamespace: SourcePrefixOption
    @OptionGroup var targetNamespace: TargetPrefixOption
    @Option(help: "Store folder.") var store = "./mailferry-data"
    @Option(help: "Job that holds the restore's state.") var job: String?
    @Option(help: "Connections to the target.") var connections = 4
    @ArgumentParser.Flag(help: "Print the summary as JSON.") var json = false
    @OptionGroup var progressOptions: ProgressOptions
    @OptionGroup var archiveKey: ArchiveKeyOptions

    func validate() throws { try validateConnections(connections) }

    func run() async throws {
        try await reportingFailures {
            guard !archives.isEmpty else {
                throw CommandFailure(message: "name at least one archive", exitCode: .badInput)
            }
            for archive in archives where !FileManager.default.fileExists(atPath: archive) {
                throw CommandFailure(message: "no such archive: \(archive)", exitCode: .badInput)
            }
            let key = try archiveKey.key()
            let endpoint = try targetOptions.endpoint()
            let password = try targetOptions.password(for: endpoint)
            let jobName = job ?? "restore-" + StoreLayout.jobName(user: endpoint.user, host: endpoint.host)
            let options = PushOptions(
                target: connection.clientConfiguration(for: endpoint, side: .target), storeRoot: store,
                job: jobName,
                connections: connections, rules: try targetOptions.rules(),
                exclude: try targetOptions.validatedExcludes(),
                propagateDeletes: targetOptions.propagateDeletes,
                sourcePrefix: sourceNamespace.sourcePrefix, targetPrefix: targetNamespace.targetPrefix)
            let progress = TransferProgress()
            let runner = StepRunner(store: store, job: jobName, progress: progressOptions.progress)
            let summary = try await runner.run(showing: [.init(progress: progress)]) {
                try await $0.restore(
                    archives: archives, push: options, targetPassword: password, progress: progress, archiveKey: key)
            }
            try emit(summary, json: json, text: summary.text)
            try finish(with: summary.outcome)
        }
    }
}
