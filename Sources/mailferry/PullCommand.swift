import ArgumentParser
import Foundation
import IMAPClient
import MailArchive
import MailStore
import Migration

extension ArchiveCompression: ExpressibleByArgument {}

struct PullCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pull",
        abstract: "Copy a source account into the local store (Maildir + manifest) and seal the pass as an archive.",
        discussion: """
            The first pull is full; later ones copy only new messages and flag changes. A killed pull resumes where it stopped.
            Source password: --source-password-file (first line), else MAILFERRY_SOURCE_PASSWORD, else a prompt.
            Exit codes: 0 done, 1 done with skipped folders or messages (listed), 2 bad input, 3 cannot connect or log in.

            Examples:
              mailferry pull --source imaps://user@imap.example.com
              mailferry pull --source imaps://user@imap.example.com --compress zstd --connections 4 --store /srv/mailferry
              mailferry pull --source imaps://user@courier.example.com --source-prefix INBOX.
            """)

    @OptionGroup var sourceOptions: SourceOptions
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var namespace: SourcePrefixOption
    @OptionGroup var retry: RetryOptions
    @OptionGroup var encryption: EncryptOptions

    @Option(help: "Store folder.") var store = "./mailferry-data"
    @Option(help: "Job name (default: the source account).") var job: String?
    @Option(help: "Connections to the source (folders in parallel).") var connections = 4
    @Option(help: "Archive compression: none, gzip or zstd.") var compress = ArchiveCompression.none
    @ArgumentParser.Flag(help: "Print the summary as JSON.") var json = false
    @OptionGroup var progressOptions: ProgressOptions
    @Option(help: .hidden) var commitEvery = 500

    func validate() throws { try validateConnections(connections) }

    func run() async throws {
        try await reportingFailures {
            let endpoint = try sourceOptions.endpoint()
            let password = try sourceOptions.password(for: endpoint)
            let jobName = job ?? StoreLayout.jobName(user: endpoint.user, host: endpoint.host)
            let archiveKey = try encryption.sealingKey()
            var options = PullOptions(
                source: connection.clientConfiguration(for: endpoint, side: .source), storeRoot: store,
                job: jobName,
                connections: connections, compression: compress, commitEvery: commitEvery,
                sourcePrefix: namespace.sourcePrefix, retry: retry.policy)
            options.archiveKey = archiveKey
            let progress = TransferProgress()
            let runner = StepRunner(store: store, job: jobName, progress: progressOptions.progress)
            let summary = try await runner.run(showing: [.init(progress: progress)]) {
                try await $0.pull(options, password: password, progress: progress)
            }
            try emit(summary, json: json, text: summary.text)
            try finish(with: summary.outcome)
        }
    }
}
