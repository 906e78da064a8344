import ArgumentParser
import Foundation
import Migration

struct HistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract:
            "List the runs of a job (pull, push, migrate, verify, restore): when, outcome, counts and the issues each met.",
        discussion: """
            A run still marked running when a later one started was cut off (killed, power loss): it shows as interrupted.

            Examples:
              mailferry history --job user@old.example.com
              mailferry history --job user@old.example.com --json
            """)

    @Option(help: "Store folder.") var store = "./mailferry-data"
    @Option(help: "Job name.") var job: String
    @ArgumentParser.Flag(help: "Print the runs as JSON.") var json = false

    func run() async throws {
        try await reportingFailures {
            let entries = try MigrationJob(storeRoot: store, name: job).history()
            try emit(entries, json: json, text: RunHistoryText.render(job: job, entries))
        }
    }
}
