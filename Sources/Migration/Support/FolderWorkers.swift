import Foundation
import IMAPClient
import Logging

/// Runs folder jobs over up to `connections` logins at once, each worker on its own client.
/// A dropped link or timeout is retried on a new connection with exponential back-off and
/// jitter; a folder-level failure is handed to `skipped` and the rest goes on; an account-level
/// failure stops everything.
struct FolderWorkers<Item: Sendable, Result: Sendable>: Sendable {
    let connections: Int
    let retries: Int
    let logger: Logger
    let connect: @Sendable () async throws -> IMAPClient
    let name: @Sendable (Item) -> String
    let work: @Sendable (IMAPClient, Item) async throws -> Result
    let skipped: @Sendable (Item, IMAPError) throws -> Result

    func run(_ items: [Item], first: IMAPClient) async throws -> [Result] {
        try await run(WorkQueue(items), workers: min(connections, max(1, items.count)), first: first)
    }

    /// Workers take items from `source` until it runs dry; each item is handed back to
    /// `source.finished` when its work is done (or skipped).
    func run(_ source: some WorkSource<Item>, workers: Int, first: IMAPClient) async throws -> [Result] {
        let queue = source
        return try await withThrowingTaskGroup(of: [Result].self) { group in
            for index in 0..<workers {
                group.addTask {
                    var client = index == 0 ? first : try await connect()
                    var results: [Result] = []
                    while let item = try await queue.next() {
                        var attempt = 0
                        while true {
                            do {
                                results.append(try await work(client, item))
                                break
                            } catch let error as IMAPError where error.isTransient && attempt < retries {
                                attempt += 1
                                let delay = min(30, Double(1 << attempt)) * Double.random(in: 0.5...1.0)
                                logger.warning("\(name(item)): \(error); reconnecting in \(String(format: "%.1f", delay)) s (attempt \(attempt) of \(retries))")
                                try await Task.sleep(for: .seconds(delay))
                                client = try await connect()
                            } catch let error as IMAPError where error.scope == .folder || error.scope == .message {
                                logger.error("\(name(item)): skipped: \(error)")
                                results.append(try skipped(item, error))
                                break
                            }
                        }
                        await queue.finished(item)
                    }
                    await client.logout()
                    return results
                }
            }
            var all: [Result] = []
            for try await results in group { all += results }
            return all
        }
    }
}

/// Where folder workers get their next item; nil means there is no more work.
protocol WorkSource<Item>: Sendable {
    associatedtype Item: Sendable
    func next() async throws -> Item?
    func finished(_ item: Item) async
}

/// Hands a fixed list of items to the workers one at a time, in order.
actor WorkQueue<Item: Sendable>: WorkSource {
    private var items: [Item]
    init(_ items: [Item]) { self.items = items.reversed() }
    func next() -> Item? { items.popLast() }
    func finished(_ item: Item) {}
}
