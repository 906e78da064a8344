import ArgumentParser
import Foundation
import IMAPClient
import IMAPCore

/// Fetches every message of one folder into files and prints one JSON line of figures.
struct FetchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "fetch")

    @Option var state: String
    @Option var folder: String
    @Option var out: String
    @Option var batch = 250

    func run() async throws {
        let info = try JSONDecoder().decode(BenchServerState.self, from: Data(contentsOf: URL(fileURLWithPath: state)))
        let client = IMAPClient(
            configuration: IMAPClientConfiguration(
                endpoint: IMAPEndpoint(host: info.host, port: info.port, user: info.user, security: .implicitTLS),
                tls: TLSConfiguration(caFile: info.caFile)))
        let start = Date()
        try await client.connect()
        try await client.login(password: info.password)
        try await client.select(MailboxName(folder), readOnly: true)
        let uids = try await client.uidSearch("ALL")
        // Several UID FETCH commands in flight at once: no round trip between batches.
        let sets = stride(from: 0, to: uids.count, by: batch).map { UIDSet(uids[$0..<min($0 + batch, uids.count)]) }
        let sink = MessageFileSink(directory: out)
        try await client.uidFetch(sets, items: IMAPClient.messageItems, into: sink)
        let seconds = Date().timeIntervalSince(start)
        await client.logout()
        let bytes = sink.completed.reduce(0) { $0 + $1.bytes }
        print(
            "{\"folder\":\"\(folder)\",\"messages\":\(sink.completed.count),\"bytes\":\(bytes),\"seconds\":\(String(format: "%.3f", seconds))}"
        )
    }
}
