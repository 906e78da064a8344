import ArgumentParser
import Foundation
import IMAPClient
import IMAPCore
import MailStore
import Migration

struct PushCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "push",
        abstract: "Upload what the job's manifest has not uploaded yet to a target account (exactly once).",
        discussion: """
            Running it again uploads nothing twice; flag changes pulled since are applied to the target.
            Target password: --target-password-file (first line), else MAILFERRY_TARGET_PASSWORD, else a prompt.
            Exit codes: 0 done, 1 done with refused messages or folders (listed), 2 bad input, 3 cannot connect or log in.

            Examples:
              mailferry push --job user@old.example.com --target imaps://user@cloudmail.example
              mailferry push --job user@old.example.com --target imaps://user@cloudmail.example --map 'Old Name=New Name' --exclude '^Spam'
            """)

    @OptionGroup var targetOptions: TargetOptions
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var sourceNamespace: SourcePrefixOption
    @OptionGroup var targetNamespace: TargetPrefixOption
    @OptionGroup var retry: RetryOptions
    @Option(help: "Store folder.") var store = "./mailferry-data"
    @Option(help: "Job name (as given to pull).") var job: String
    @Option(help: "Connections to the target (folders in parallel).") var connections = 4
    @ArgumentParser.Flag(help: "Print the summary as JSON.") var json = false
    @OptionGroup var progressOptions: ProgressOptions

    func validate() throws { try validateConnections(connections) }

    func run() async throws {
        try await reportingFailures {
            let endpoint = try targetOptions.endpoint()
            let password = try targetOptions.password(for: endpoint)
            let options = PushOptions(
                target: connection.clientConfiguration(for: endpoint, side: .target), storeRoot: store, job: job,
                connections: connections, rules: try targetOptions.rules(),
                exclude: try targetOptions.validatedExcludes(), propagateDeletes: targetOptions.propagateDeletes,
                sourcePrefix: sourceNamespace.sourcePrefix, targetPrefix: targetNamespace.targetPrefix,
                retry: retry.policy)
            let progress = TransferProgress()
            let summary = try await StepRunner(store: store, job: job, progress: progressOptions.progress).run(
                showing: [.init(progress: progress)]) {
                    try await $0.push(options, password: password, progress: progress)
                }
            try emit(summary, json: json, text: summary.text)
            try finish(with: summary.outcome)
        }
    }
}

/// Prints a summary as JSON or text.
func emit<T: Encodable>(_ value: T, json: Bool, text: String) throws {
    if json {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .utcISO8601
        print(String(decoding: try encoder.encode(value), as: UTF8.self))
    } else {
        print(text.terminalSafe(keepingLineBreaks: true))
    }
}
