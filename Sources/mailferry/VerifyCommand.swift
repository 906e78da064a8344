import ArgumentParser
import Foundation
import IMAPClient
import MailStore
import Migration

struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Prove the target holds what the store (or the live source) holds: counts, identity, flags, dates.",
        discussion: """
            Every folder of the job is compared, mapped as push maps it; a folder missing on the target is a \
            difference. Exit 0 only when equal apart from recorded skips, which are listed; 1 on any difference. \
            --deep also hashes every message on the target.

            Passwords: MAILFERRY_TARGET_PASSWORD (or --target-password-file, or a prompt); with --source also \
            MAILFERRY_SOURCE_PASSWORD (or --source-password-file).

            Examples:
              mailferry verify --source imaps://user@old.example.com --target imaps://user@cloudmail.example
              mailferry verify --job user@old.example.com --target imaps://user@cloudmail.example --deep --json
            """)

    @Option(help: "Target account: imaps://user@host[:port].") var target: String
    @Option(
        name: .customLong("target-password-file"),
        help: "File whose first line is the target password (else MAILFERRY_TARGET_PASSWORD, else a prompt).")
    var targetPasswordFile: String?
    @Option(
        help:
            "Compare with the live source instead of the store: imaps://user@host[:port]. Also names the job when --job is not given."
    )
    var source: String?
    @Option(
        name: .customLong("source-password-file"),
        help: "File whose first line is the source password (else MAILFERRY_SOURCE_PASSWORD, else a prompt).")
    var sourcePasswordFile: String?
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var sourceNamespace: SourcePrefixOption
    @OptionGroup var targetNamespace: TargetPrefixOption
    @Option(help: "Store folder.") var store = "./mailferry-data"
    @Option(help: "Job name (default: the --source account, as migrate names it).") var job: String?
    @OptionGroup var mapping: FolderMappingOptions
    @ArgumentParser.Flag(help: "Also compare message contents by SHA-256 (downloads every target message).") var deep =
        false
    @ArgumentParser.Flag(help: "Print the report as JSON.") var json = false

    func validate() throws {
        if job == nil && source == nil {
            throw ValidationError("name the job: --job NAME, or --source imaps://user@host as given to migrate")
        }
    }

    func run() async throws {
        try await reportingFailures {
            let targetEndpoint = try parseEndpoint(target)
            let sourceEndpoint = try source.map(parseEndpoint)
            let jobName = job ?? StoreLayout.jobName(user: sourceEndpoint!.user, host: sourceEndpoint!.host)
            let targetPassword = try PasswordSource.target(file: targetPasswordFile, for: targetEndpoint)
                .readForCommand()
            var sourceConfiguration: IMAPClientConfiguration?
            var sourcePassword: String?
            if let sourceEndpoint {
                sourceConfiguration = connection.clientConfiguration(for: sourceEndpoint, side: .source)
                sourcePassword = try PasswordSource.source(file: sourcePasswordFile, for: sourceEndpoint)
                    .readForCommand()
            }
            let engine = VerifyEngine(
                target: connection.clientConfiguration(for: targetEndpoint, side: .target), source: sourceConfiguration,
                storeRoot: store, job: jobName, deep: deep, rules: try mapping.rules(),
                exclude: try mapping.validatedExcludes(), sourcePrefix: sourceNamespace.sourcePrefix,
                targetPrefix: targetNamespace.targetPrefix)
            let report = try await StepRunner(store: store, job: jobName, progress: .none).run(showing: []) {
                try await $0.verify(engine, targetPassword: targetPassword, sourcePassword: sourcePassword)
            }
            try emit(report, json: json, text: report.text)
            try finish(with: report.outcome)
        }
    }
}
