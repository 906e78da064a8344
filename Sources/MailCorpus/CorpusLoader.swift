import IMAPClient
import IMAPCore

/// Puts a corpus onto a server through mailferry's own client: folders created, messages
/// appended in pipelined batches.
public struct CorpusLoader {
    public let client: IMAPClient

    public init(client: IMAPClient) { self.client = client }

    /// Returns how many messages were stored.
    @discardableResult
    public func load(_ folders: [CorpusFolder], separator: Character, batchSize: Int = 200) async throws -> Int {
        let existing = Set(try await client.list().map { $0.name.description })
        var stored = 0
        for folder in folders {
            let name = MailboxName(folder.name(separator: separator))
            if !name.isInbox && !existing.contains(folder.name(separator: separator)) { try await client.create(name) }
            for start in stride(from: 0, to: folder.messages.count, by: batchSize) {
                let batch = folder.messages[start..<min(start + batchSize, folder.messages.count)].map(\.appendRequest)
                let outcomes = try await client.append(batch, to: name)
                for outcome in outcomes {
                    if case .refused(let response) = outcome {
                        throw IMAPError.commandFailed(
                            host: client.configuration.endpoint.host, command: "APPEND",
                            mailbox: name.description, response: response)
                    }
                }
                stored += outcomes.count
            }
        }
        return stored
    }
}
