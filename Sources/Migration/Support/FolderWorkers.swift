import Foundation
import IMAPClient
import Logging
import Synchronization

/// Runs folder jobs over up to `connections` logins at once, each worker on its own client.
/// A dropped link or timeout is retried on a new connection with exponential back-off and
/// jitter; a reconnect that fails is just another attempt. The budget counts failures without
/// progress in between (`progressMark` unchanged), so a bad link that still moves mail never
/// runs out of it. A folder-level failure is handed to `skipped` and the rest goes on; an
/// account-level failure, or a transient one once the budget is spent, stops everything.
struct FolderWorkers<Item: Sendable, Result: Sendable>: Sendable {
    let connections: Int
    let retries: Int
    let logger: Logger
    let connect: @Sendable () async throws -> IMAPClient
    let name: @Sendable (Item) -> String
    /// The work on one item; it may claim the worker's next item early (`NextItemClaim`).
    let work: @Sendable (IMAPClient, Item, NextItemClaim<Item>) async throws -> Result
    let skipped: @Sendable (Item, IMAPError) throws -> Result
    /// Grows whenever mail moves (messages and bytes done); failures after growth start a fresh budget.
    var progressMark: @Sendable () -> Int64 = { 0 }
    /// Seconds of the first back-off; each further attempt doubles it (at most 30 s), with jitter.
    var baseDelay: Double = 1
    /// Checked before each item and after each failure; the workers' sockets are interrupted
    /// when a stop is overdue.
    var control = JobControl()
    var step = JobStep.pull
    /// Offered each worker's connection when it is done; true keeps it open for whoever took it
    /// (`migrate`'s last round), false logs it out.
    var keepConnection: @Sendable (IMAPClient) async -> Bool = { _ in false }
    /// Logins opened ahead, while the caller was still listing and planning: worker `i` (from
    /// 1) takes the `i`th instead of connecting then. Those no worker takes are logged out.
    var warm: [WarmConnection] = []
    /// Counts the round trips the workers' connections wait for while on their items.
    var roundTrips = RoundTripTally()

    func run(_ items: [Item], first: IMAPClient) async throws -> [Result] {
        try await run(WorkQueue(items), workers: min(connections, max(1, items.count)), first: first)
    }

    /// Workers take items from `source` until it runs dry; each item is handed back to
    /// `source.finished` when its work is done (or skipped).
    func run(_ source: some WorkSource<Item>, workers: Int, first: IMAPClient) async throws -> [Result] {
        let queue = source
        for unused in warm.dropFirst(max(0, workers - 1)) {
            // Not waited for: a login still under way must not hold up the pass.
            Task { await unused.discard() }
        }
        return try await withThrowingTaskGroup(of: [Result].self) { group in
            for index in 0..<workers {
                group.addTask {
                    var budget = RetryBudget(retries: retries, baseDelay: baseDelay, mark: progressMark())
                    var client = first
                    if index > 0 {
                        if index <= warm.count, let opened = try await warm[index - 1].take() {
                            client = opened
                        } else {
                            client = try await reconnect(for: nil, budget: &budget)
                        }
                    }
                    var interruption = control.stop.whenOverdue { [client] in client.interrupt() }
                    defer { interruption.cancel() }
                    var tripsBefore = await client.roundTrips
                    var results: [Result] = []
                    let claim = NextItemClaim(source: queue)
                    while let item = try await nextItem(queue, claimed: claim) {
                        while true {
                            do {
                                results.append(try await work(client, item, claim))
                                break
                            } catch let error as IMAPError {
                                // A link that failed because a stop interrupted it is the stop, not a fault.
                                try control.stop.check()
                                if error.isTransient, let delay = budget.nextDelay(progress: progressMark()) {
                                    logger.warning(
                                        "\(name(item)): \(error); reconnecting in \(String(format: "%.1f", delay)) s (attempt \(budget.attempt) of \(retries) since the last progress)"
                                    )
                                    control.events.emit(
                                        step,
                                        .retry(
                                            folder: name(item), error: error.description, delay: delay,
                                            attempt: budget.attempt, of: retries))
                                    try await control.stop.sleep(seconds: delay)
                                    roundTrips.add(max(0, await client.roundTrips - tripsBefore))
                                    client = try await reconnect(for: item, budget: &budget)
                                    tripsBefore = await client.roundTrips
                                    interruption.cancel()
                                    interruption = control.stop.whenOverdue { [client] in client.interrupt() }
                                    continue
                                }
                                guard error.scope == .folder || error.scope == .message else {
                                    if error.isTransient {
                                        let exhausted = RetriesExhausted(
                                            step: name(item), attempts: retries, seconds: budget.secondsFailing,
                                            underlying: error)
                                        logger.error("\(exhausted)")
                                        throw exhausted
                                    }
                                    throw error
                                }
                                logger.error("\(name(item)): skipped: \(error)")
                                control.events.emit(step, .warning(folder: name(item), message: "skipped: \(error)"))
                                results.append(try skipped(item, error))
                                break
                            }
                        }
                        await queue.finished(item)
                    }
                    roundTrips.add(max(0, await client.roundTrips - tripsBefore))
                    if await !keepConnection(client) { await client.logout() }
                    return results
                }
            }
            var all: [Result] = []
            for try await results in group { all += results }
            return all
        }
    }

    private func nextItem(_ queue: some WorkSource<Item>, claimed: NextItemClaim<Item>) async throws -> Item? {
        try control.stop.check()
        if let item = claimed.take() { return item }
        return try await queue.next()
    }

    /// A new login; a transient failure (the server restarting, the link still down) is
    /// retried from the same budget.
    private func reconnect(for item: Item?, budget: inout RetryBudget) async throws -> IMAPClient {
        while true {
            do {
                return try await connect()
            } catch let error as IMAPError where error.isTransient {
                try control.stop.check()
                guard let delay = budget.nextDelay(progress: progressMark()) else {
                    throw RetriesExhausted(
                        step: item.map(name) ?? "connect", attempts: retries, seconds: budget.secondsFailing,
                        underlying: error)
                }
                logger.warning(
                    "\(item.map(name) ?? "connect"): reconnect failed: \(error); retrying in \(String(format: "%.1f", delay)) s (attempt \(budget.attempt) of \(retries))"
                )
                control.events.emit(
                    step,
                    .retry(
                        folder: item.map(name), error: error.description, delay: delay, attempt: budget.attempt,
                        of: retries))
                try await control.stop.sleep(seconds: delay)
            }
        }
    }
}

/// Round trips added up over several connections.
final class RoundTripTally: Sendable {
    private let count = Mutex(0)
    func add(_ trips: Int) { count.withLock { $0 += trips } }
    var total: Int { count.withLock { $0 } }
}

/// Attempts left since the last progress, and the back-off before the next one.
struct RetryBudget {
    let retries: Int
    let baseDelay: Double
    private(set) var attempt = 0
    private var mark: Int64
    /// When the first failure since the last progress happened.
    private var failingSince: Date?

    /// Seconds since the first failure without progress in between.
    var secondsFailing: Double { failingSince.map { Date().timeIntervalSince($0) } ?? 0 }

    init(retries: Int, baseDelay: Double, mark: Int64) {
        self.retries = retries; self.baseDelay = baseDelay; self.mark = mark
    }

    /// The delay before the next attempt, or nil when the budget is spent. Progress since the
    /// previous failure (a higher mark) refills it.
    mutating func nextDelay(progress: Int64) -> Double? {
        if progress != mark { attempt = 0; mark = progress; failingSince = nil }
        if failingSince == nil { failingSince = Date() }
        guard attempt < retries else { return nil }
        attempt += 1
        return min(30, baseDelay * Double(1 << attempt) / 2) * Double.random(in: 0.5...1.0)
    }
}

/// Where folder workers get their next item; nil means there is no more work.
protocol WorkSource<Item>: Sendable {
    associatedtype Item: Sendable
    func next() async throws -> Item?
    /// An item if one can be had without waiting, else nil (more may still come).
    func nextIfReady() async -> Item?
    func finished(_ item: Item) async
}

/// Hands a fixed list of items to the workers one at a time, in order.
actor WorkQueue<Item: Sendable>: WorkSource {
    private var items: [Item]
    init(_ items: [Item]) { self.items = items.reversed() }
    func next() -> Item? { items.popLast() }
    func nextIfReady() -> Item? { items.popLast() }
    func finished(_ item: Item) {}
}

/// One worker's next item, claimed while the worker is still on its current one: a push then
/// selects the next folder in its current folder's last flight, a round trip saved per folder
/// on a far link. The worker takes the claimed item before asking its source again.
final class NextItemClaim<Item: Sendable>: @unchecked Sendable {
    private let source: any WorkSource<Item>
    /// Touched only by the worker's own task, one step after another.
    private var claimed: Item?

    init(source: any WorkSource<Item>) { self.source = source }

    /// The next item, claimed now if one is ready (the same one when asked again); nil when
    /// none is ready, and the worker then waits for one as usual.
    func claim() async -> Item? {
        if claimed == nil { claimed = await source.nextIfReady() }
        return claimed
    }

    func take() -> Item? {
        defer { claimed = nil }
        return claimed
    }
}
