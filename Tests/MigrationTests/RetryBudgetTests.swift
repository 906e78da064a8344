import Foundation
import IMAPClient
import Logging
import Synchronization
import Testing

@testable import Migration

/// The retry rules of the folder workers, without a network: `connect` and `work` are scripted.
@Suite("folder workers retry a bad link as long as it makes progress")
struct RetryBudgetTests {
    private static let dropped = IMAPError.connectionClosed(host: "h", detail: "reset")
    private static func idleClient() -> IMAPClient {
        IMAPClient(
            configuration: IMAPClientConfiguration(
                endpoint: IMAPEndpoint(host: "127.0.0.1", port: 1, user: "u", security: .implicitTLS)))
    }

    private func workers(
        retries: Int, connect: @escaping @Sendable () async throws -> IMAPClient,
        work: @escaping @Sendable (IMAPClient, Int) async throws -> Int, progress: @escaping @Sendable () -> Int64
    ) -> FolderWorkers<Int, Int> {
        FolderWorkers(
            connections: 1, retries: retries, logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() },
            connect: connect, name: { "item \($0)" }, work: { client, item, _ in try await work(client, item) },
            skipped: { item, _ in -item },
            progressMark: progress, baseDelay: 0.001)
    }

    @Test("a reconnect that fails is another attempt, not the end of the job")
    func reconnectFailuresAreRetried() async throws {
        let connects = Atomic(0), works = Atomic(0)
        let result = try await workers(
            retries: 5,
            connect: {
                // The server is restarting: the first two logins are refused.
                if connects.add(1, ordering: .relaxed).newValue <= 2 {
                    throw IMAPError.connectionRefused(host: "h", port: 1)
                }
                return Self.idleClient()
            },
            work: { _, item in
                if works.add(1, ordering: .relaxed).newValue == 1 { throw Self.dropped }
                return item
            }, progress: { 0 }
        ).run([7], first: Self.idleClient())
        #expect(result == [7])
        #expect(connects.load(ordering: .relaxed) == 3)
    }

    @Test("without progress the budget runs out: the error says the last failure, what was retried and for how long")
    func budgetSpentWithoutProgress() async throws {
        let works = Atomic(0)
        let error = await #expect(throws: RetriesExhausted.self) {
            _ = try await workers(
                retries: 3, connect: { Self.idleClient() },
                work: { _, _ in
                    works.add(1, ordering: .relaxed)
                    throw Self.dropped
                }, progress: { 0 }
            ).run([1], first: Self.idleClient())
        }
        #expect(works.load(ordering: .relaxed) == 4, "the first try and three retries")
        #expect(error?.underlying == Self.dropped && error?.attempts == 3)
        #expect(
            error?.description.contains("gave up after 3 retries over") == true
                && error?.description.contains("run again to resume") == true, "\(String(describing: error))")
        #expect(JobFailure(classifying: try #require(error)).grade == JobFailure(classifying: Self.dropped).grade)
    }

    @Test("progress between failures refills the budget: 20 cuts with progress each time still finish")
    func progressResetsBudget() async throws {
        let works = Atomic(0), moved = Atomic<Int64>(0)
        let result = try await workers(
            retries: 2, connect: { Self.idleClient() },
            work: { _, item in
                // Every attempt moves some mail, then the link drops — twenty times in a row.
                moved.add(1000, ordering: .relaxed)
                if works.add(1, ordering: .relaxed).newValue <= 20 { throw Self.dropped }
                return item
            }, progress: { moved.load(ordering: .relaxed) }
        ).run([3], first: Self.idleClient())
        #expect(result == [3])
        #expect(works.load(ordering: .relaxed) == 21)
    }
}
