import ArgumentParser

@main
struct MailferryBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mailferry-bench",
        abstract: "Benchmark driver: seeds a private Dovecot and times mailferry's IMAP paths (see bench/).",
        subcommands: [ServeCommand.self, FetchCommand.self, DelayProxyCommand.self])
}
