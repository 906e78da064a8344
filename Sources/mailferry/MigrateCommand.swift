import ArgumentParser
import Foundation
import IMAPClient
import MailArchive
import MailStore
import Migration

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Pull from the source and push to the target together; first and delta passes are the same command.",
        discussion: """
            Uploads start as soon as the first messages are stored; the pass is sealed as an archive at the end. Run it \
            again after the MX switch: only what is new or changed moves.
            Passwords: --source-password-file / --target-password-file (first line), else MAILFERRY_SOURCE_PASSWORD / \
            MAILFERRY_TARGET_PASSWORD, else prompts. Exit codes: 0 done, 1 done with skips (listed), 2 bad input, \
            3 cannot connect or log in.

            Examples:
              mailferry migrate --source imaps://user@old.example.com --target imaps://user@cloudmail.example
              mailferry migrate --source imap://user@old.example.com:143 --target imaps://user@cloudmail.example --source-prefix INBOX.
            """)

    @OptionGroup var sourceOptions: SourceOptions
    @OptionGroup var targetOptions: TargetOptions
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var sourceNamespace: SourcePrefixOption
    @OptionGroup var targetNamespace: TargetPrefixOption
    @OptionGroup var retry: RetryOptions
    @OptionGroup var encryption: EncryptOptions
    @Option(help: "Store folder.") var store = "./mailferry-data"
    @Option(help: "Job name (default: the source account).") var job: String?
    @Option(help: "Connections to each server.") var connections = 4
    @Option(help: "Archive compression: none, gzip or zstd.") var compress = ArchiveCompression.none
    @ArgumentParser.Flag(help: "Print the summary as JSON.") var json = false
    @OptionGroup var progressOptions: ProgressOptions

    func validate() throws { try validateConnections(connections) }

    func run() async throws {
        try await reportingFailures {
            let source = try sourceOptions.endpoint()
            let target = try targetOptions.endpoint()
            let sourcePassword = try sourceOptions.password(for: source)
            let targetPassword = try targetOptions.password(for: target)
            let jobName = job ?? StoreLayout.jobName(user: source.user, host: source.host)
            let archiveKey = try encryption.sealingKey()
            var pull = PullOptions(
                source: connection.clientConfiguration(for: source, side: .source), storeRoot: store, job: jobName,
                connections: connections, compression: compress, sourcePrefix: sourceNamespace.sourcePrefix,
                retry: retry.policy)
            pull.archiveKey = archiveKey
            let push = PushOptions(
                target: connection.clientConfiguration(for: target, side: .target), storeRoot: store, job: jobName,
                connections: connections, rules: try targetOptions.rules(),
                exclude: try targetOptions.validatedExcludes(), propagateDeletes: targetOptions.propagateDeletes,
                sourcePrefix: sourceNamespace.sourcePrefix, targetPrefix: targetNamespace.targetPrefix,
                retry: retry.policy)
            let pulled = TransferProgress(), pushed = TransferProgress()
            let runner = StepRunner(store: store, job: jobName, progress: progressOptions.progress)
            let summary = try await runner.run(showing: [
                .init(label: "pull", progress: pulled), .init(label: "push", progress: pushed),
            ]) {
                try await $0.migrate(
                    pull: pull, push: push, sourcePassword: sourcePassword, targetPassword: targetPassword,
                    pullProgress: pulled, pushProgress: pushed)
            }
            try emit(summary, json: json, text: summary.text)
            try finish(with: summary.outcome)
        }
    }
}
