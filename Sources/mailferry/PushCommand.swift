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
    @Option(help: "Store folder.") var store = "./mailferry-data"
    @Option(help: "Job name (as given to pull).") var job: String
    @Option(help: "Connections to the target (folders in parallel).") var connections = 4
    @ArgumentParser.Flag(help: "Print the summary as JSON.") var json = false

    func validate() throws { try validateConnections(connections) }

    func run() async throws {
        try await reportingFailures {
            let endpoint = try targetOptions.endpoint()
            let password = try targetOptions.password(for: endpoint)
            let options = PushOptions(target: connection.clientConfiguration(for: endpoint, side: .target), storeRoot: store, job: job,
                                      connections: connections, rules: try targetOptions.rules(),
                                      exclude: try targetOptions.validatedExcludes(), propagateDeletes: targetOptions.propagateDeletes,
                                      sourcePrefix: sourceNamespace.sourcePrefix, targetPrefix: targetNamespace.targetPrefix)
            let progress = TransferProgress()
            let summary = try await withProgress(progress) { try await PushEngine(options: options, progress: progress).run(password: password) }
            try emit(summary, json: json, text: summary.text)
            if summary.hasFailures { throw ExitCode.partialFailure }
        }
    }
}

/// Runs a long transfer with a progress display, mapping store failures to exit codes.
func withProgress<T>(_ progress: TransferProgress, _ body: () async throws -> T) async throws -> T {
    let printer = ProgressPrinter(progress: progress)
    printer.start()
    defer { printer.stop() }
    return try await storeErrors(body)
}

/// Maps store and quota failures to the spec's exit codes with a clear message.
func storeErrors<T>(_ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let error as StoreError {
        switch error {
        case .locked, .unknownJob, .invalidJobName, .jobBelongsToOtherAccount, .notWritable:
            throw CommandFailure(message: error.description, exitCode: .badInput)
        default: throw CommandFailure(message: error.description, exitCode: .partialFailure)
        }
    } catch let error as TargetOverQuota {
        throw CommandFailure(message: error.description, exitCode: .partialFailure)
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
