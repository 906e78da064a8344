import Foundation
import Synchronization
import Testing
import Transport

@Suite("dedicated thread: work that must answer while the cooperative pool is blocked")
struct DedicatedThreadTests {
    @Test("a task preferring a dedicated thread sleeps, wakes and ends on it while every pool thread is held")
    func runsWhilePoolIsHeld() async throws {
        let poolWidth = ProcessInfo.processInfo.activeProcessorCount
        let counts = Counts()
        let holders = (0..<poolWidth).map { _ in
            Task.detached {
                counts.started.add(1, ordering: .sequentiallyConsistent)
                // Holds the thread as a commit on a slow disk would.
                while counts.started.load(ordering: .sequentiallyConsistent) < poolWidth { usleep(1_000) }
                usleep(2_000_000)
                counts.ended.add(1, ordering: .sequentiallyConsistent)
            }
        }
        let thread = DedicatedThread(name: "test control")
        defer { thread.stop() }
        let control = Task(executorPreference: thread) { () -> (names: Set<String>, whileHeld: Bool, waited: Bool) in
            // The holders start as the suite's other tests give threads back: on 2 cores with
            // every test starting at once, that took tens of seconds.
            let deadline = Date().addingTimeInterval(240)
            while counts.started.load(ordering: .sequentiallyConsistent) < poolWidth {
                if Date() > deadline { return ([], false, false) }
                try? await Task.sleep(for: .milliseconds(5))
            }
            var names: Set<String> = []
            for _ in 0..<3 {
                try? await Task.sleep(for: .milliseconds(20))
                names.insert(currentThreadName())
            }
            return (names, counts.ended.load(ordering: .sequentiallyConsistent) == 0, true)
        }
        let outcome = await control.value
        for holder in holders { await holder.value }
        #expect(outcome.waited, "all \(poolWidth) pool threads were held at once")
        #expect(outcome.names == ["test control"], "every wake-up ran on the dedicated thread: \(outcome.names)")
        #expect(outcome.whileHeld, "the task ended before any pool thread was given back")
    }
}

private final class Counts: Sendable {
    let started = Atomic<Int>(0)
    let ended = Atomic<Int>(0)
}

/// The running thread's name, read from a synchronous context as Foundation requires.
private func currentThreadName() -> String { Thread.current.name ?? "" }
