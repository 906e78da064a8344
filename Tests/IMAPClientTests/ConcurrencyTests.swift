import DovecotHarness
import Foundation
import IMAPClient
import IMAPCore
import Testing

/// Counts connections that have entered IDLE.
final class IdleCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.lock(); count += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}

@Suite("Concurrency")
struct ConcurrencyTests {
    /// Sixteen connections must all be blocked in a read at the same time. On Swift's
    /// cooperative pool (two threads here) blocking reads would let only two wait at once, the
    /// append would never be triggered, and the test would time out.
    @Test("16 connections wait in IDLE at once and all see the new message", .timeLimit(.minutes(1)))
    func sixteenConcurrentConnections() async throws {
        try await withDovecot { server in
            let counter = IdleCounter()
            let connections = 16
            // A fresh account's INBOX is created on first use; sixteen first uses at once make
            // Dovecot answer some SELECTs with NO [ALREADYEXISTS].
            let first = try await server.loggedInClient()
            try await first.select(.inbox)
            await first.logout()
            try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<connections {
                    group.addTask {
                        let client = try await server.loggedInClient()
                        try await client.select(.inbox)
                        var seen = 0
                        try await client.idle(onIdling: { counter.increment() }) { response in
                            if case .exists(let count) = response, count > 0 { seen = count; return true }
                            return false
                        }
                        await client.logout()
                        return index + seen * 0 + (seen > 0 ? 1 : 0) - index
                    }
                }
                group.addTask {
                    let deadline = Date().addingTimeInterval(30)
                    while counter.value < connections {
                        guard Date() < deadline else {
                            throw IMAPError.timedOut(
                                host: "test", operation: "waiting for \(connections) idlers, got \(counter.value)")
                        }
                        try await Task.sleep(for: .milliseconds(20))
                    }
                    let writer = try await server.loggedInClient()
                    _ = try await writer.append([AppendRequest(bytes: sampleMessage(subject: "wake up"))], to: .inbox)
                    await writer.logout()
                    return 0
                }
                var woken = 0
                for try await result in group { woken += result }
                #expect(woken == connections)
            }
            #expect(counter.value == connections)
        }
    }
}
