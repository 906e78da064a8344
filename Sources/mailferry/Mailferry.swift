import ArgumentParser
import Foundation

@main
struct Mailferry: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mailferry",
        abstract: "Moves whole mail accounts from any IMAP server to CloudMail, keeping every pass as a backup.",
        version: MailferryVersion.current,
        subcommands: [ProbeCommand.self, PullCommand.self, PushCommand.self, MigrateCommand.self, VerifyCommand.self, RestoreCommand.self, InspectCommand.self, DemoCommand.self])
}

enum MailferryVersion {
    static let current = "0.1.0"
}
