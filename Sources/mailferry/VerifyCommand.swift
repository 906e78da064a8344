import ArgumentParser
import Foundation
import IMAPClient
import Migration

struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Prove the target holds what the store (or the live source) holds: counts, identity, flags, dates.",
        discussion: "Exit 0 only when equal apart from recorded skips, which are listed. --deep also hashes every message on the target.")

    @Option(help: "Target account: imaps://user@host[:port].") var target: String
    @Option(name: .customLong("target-password-file"), help: "File whose first line is the target password.") var targetPasswordFile: String?
    @Option(help: "Compare with the live source instead of the store: imaps://user@host[:port].") var source: String?
    @Option(name: .customLong("source-password-file"), help: "File whose first line is the source password.") var sourcePasswordFile: String?
    @OptionGroup var connection: ConnectionOptions
    @Option(help: "Store folder.") var store = "./mailferry-data"
    @Option(help: "Job name.") var job: String
    @ArgumentParser.Flag(help: "Also compare message contents by SHA-256 (downloads every target message).") var deep = false
    @ArgumentParser.Flag(help: "Print the report as JSON.") var json = false

    func run() async throws {
        try await reportingFailures {
            let targetEndpoint: IMAPEndpoint
            do { targetEndpoint = try IMAPEndpoint(parsing: target) } catch { throw CommandFailure(message: "\(error)", exitCode: .badInput) }
            let targetPassword = try TargetOptions.readPassword(file: targetPasswordFile, endpoint: targetEndpoint)
            var sourceConfiguration: IMAPClientConfiguration?
            var sourcePassword: String?
            if let source {
                let sourceOptions = try SourceOptions.parse(["--source", source] + (sourcePasswordFile.map { ["--source-password-file", $0] } ?? []))
                let endpoint = try sourceOptions.endpoint()
                sourceConfiguration = connection.clientConfiguration(for: endpoint)
                sourcePassword = try sourceOptions.password(for: endpoint)
            }
            let engine = VerifyEngine(target: connection.clientConfiguration(for: targetEndpoint), source: sourceConfiguration,
                                      storeRoot: store, job: job, deep: deep)
            let report = try await storeErrors { try await engine.run(targetPassword: targetPassword, sourcePassword: sourcePassword) }
            try emit(report, json: json, text: report.text)
            if !report.isEqual { throw ExitCode.partialFailure }
        }
    }
}

extension TargetOptions {
    static func readPassword(file: String?, endpoint: IMAPEndpoint) throws -> String {
        do {
            return try PasswordSource(environmentVariable: "MAILFERRY_TARGET_PASSWORD", file: file,
                                      prompt: "Password for \(endpoint.user) on \(endpoint.host): ").read()
        } catch {
            throw CommandFailure(message: "\(error)", exitCode: .badInput)
        }
    }
}
