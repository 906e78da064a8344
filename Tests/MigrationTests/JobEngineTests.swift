import DovecotHarness
import Foundation
import Logging
import MailCorpus
import MailStore
import Migration
import Testing

/// Collects a job's events as they are emitted.
final class EventRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private var recorded: [JobEvent] = []
    var events: [JobEvent] { lock.lock(); defer { lock.unlock() }; return recorded }
    func record(_ event: JobEvent) { lock.lock(); recorded.append(event); lock.unlock() }
}

extension MigrationFixture {
    func job(_ control: JobControl = JobControl()) -> MigrationJob {
        MigrationJob(storeRoot: store, name: "alice", control: control, console: { _ in SwiftLogNoOpLogHandler() })
    }

    func migrate(job: MigrationJob, commitEvery: Int = 500, batchSize: Int = 250) async throws -> MigrateEngine.Summary
    {
        var push = pushOptions(connections: 2)
        push.batchSize = batchSize
        return try await job.migrate(
            pull: source.options(connections: 2, commitEvery: commitEvery), push: push,
            sourcePassword: sourcePassword, targetPassword: targetPassword)
    }

    func pendingUploads() throws -> Int {
        let database = try StateDatabase(path: layout.database)
        let target = try database.target(host: target.host, port: target.imapsPort, user: "carol")
        return try database.uploadCounts(targetID: target.id).pending
    }
}

@Suite("job engine: events, stop, outcomes, ledger")
struct JobEngineTests {
    @Test("a migrate's event stream is complete and ordered, and its byte totals are the summary's")
    func eventStream() async throws {
        let fixture = try await MigrationFixture.start(spec: .init(messagesPerFolder: 8))
        defer { fixture.stop() }
        let recorder = EventRecorder()
        let control = JobControl()
        control.events.subscribe(recorder.record)
        let summary = try await fixture.migrate(job: fixture.job(control), commitEvery: 3, batchSize: 4)
        let events = recorder.events
        #expect(events.first == JobEvent(time: events.first!.time, step: .migrate, kind: .stepStarted))
        #expect(events.last?.kind == .stepFinished(outcome: .done))
        #expect(events.last?.step == .migrate)
        #expect(zip(events, events.dropFirst()).allSatisfy { $0.time <= $1.time }, "in time order")
        for step in [JobStep.pull, .push] {
            let ofStep = events.enumerated().filter { $0.element.step == step }
            var planned: [String: Int] = [:], finished: [String: Int] = [:]
            var movedBytes: Int64 = 0, movedMessages = 0
            for (index, event) in ofStep {
                switch event.kind {
                case .folderPlanned(let folder, _): planned[folder] = index
                case .folderFinished(let tally):
                    #expect(finished[tally.folder] == nil, "\(step) \(tally.folder) finished once")
                    finished[tally.folder] = index
                case .messagesMoved(let folder, let messages, let bytes):
                    #expect(
                        planned[folder] != nil && finished[folder] == nil,
                        "\(step) \(folder): moved between planned and finished")
                    movedBytes += bytes; movedMessages += messages
                default: break
                }
            }
            #expect(!planned.isEmpty)
            #expect(Set(planned.keys) == Set(finished.keys), "\(step): every planned folder finished")
            for (folder, index) in planned {
                #expect(index < finished[folder]!, "\(step) \(folder) planned before finished")
            }
            if step == .pull {
                #expect(movedBytes == summary.pull.bytes && movedMessages == summary.pull.messages)
            } else {
                #expect(movedBytes == summary.push.bytes && movedMessages == summary.push.uploaded)
            }
        }
        #expect(summary.push.uploaded == summary.pull.messages)
        #expect(summary.push.bytes == summary.pull.bytes, "each message's bytes counted once on each side")
    }

    @Test("stopped at 20 seeded random points, each run leaves nothing pending; the last run makes the target exact")
    func stopAtRandomPoints() async throws {
        let fixture = try await MigrationFixture.start(spec: .init(messagesPerFolder: 25))
        defer { fixture.stop() }
        var random = SeededRandom(seed: 2026)
        var stopped = 0, runs = 0
        while stopped < 20 && runs < 60 {
            runs += 1
            let control = JobControl()
            let stopAfter = Int.random(in: 1...3, using: &random)
            let moved = Counter()
            control.events.subscribe { event in
                if case .messagesMoved = event.kind, moved.increment() == stopAfter { control.stop.requestStop() }
            }
            do {
                _ = try await fixture.migrate(job: fixture.job(control), commitEvery: 4, batchSize: 4)
                break  // ran out of work before the stop point
            } catch is JobStopped {
                stopped += 1
            }
            #expect(try fixture.pendingUploads() == 0, "run \(runs) stopped with nothing pending")
        }
        #expect(stopped == 20, "stopped \(stopped) times in \(runs) runs")
        let final = try await fixture.migrate(job: fixture.job(), commitEvery: 4, batchSize: 4)
        #expect(!final.hasFailures)
        #expect(try await fixture.targetSnapshot() == (try await fixture.expectedOnTarget()))
        let history = try fixture.job().history()
        #expect(history.filter { $0.run.outcome == "stopped" }.count == stopped)
        #expect(history.last?.run.outcome == "done")
        #expect(history.allSatisfy { $0.run.finishedAt != nil })
    }

    @Test("a stop asked of a step blocked on a silent server ends it within the grace period")
    func stopInterruptsBlockedRead() async throws {
        // Dovecot cannot be made to stall on demand; SIGSTOP on the source's imap processes
        // would stall the whole server, so a stalled link is what the test builds: the source
        // is paused after the pull has begun.
        let fixture = try await MigrationFixture.start(spec: .init(messagesPerFolder: 40, largeMessageBytes: 3_000_000))
        defer { fixture.stop() }
        let control = JobControl(stop: StopToken(grace: 0.5))
        let started = Counter()
        let paused = PausedProcesses()
        let stopAsked = Timestamps()
        control.events.subscribe { event in
            if case .folderStarted = event.kind, event.step == .pull, started.increment() == 1 {
                paused.pause(fixture.source.server.imapProcessIDs())
                DispatchQueue.global().asyncAfter(deadline: .now() + 0.3) {
                    stopAsked.record()
                    control.stop.requestStop()
                }
            }
        }
        defer { paused.resume() }
        await #expect(throws: JobStopped.self) {
            _ = try await fixture.job(control).pull(fixture.source.options(connections: 2), password: sourcePassword)
        }
        #expect(paused.everPaused > 0, "the source's imap processes were paused")
        let ended = Date()
        // The 0.5 s grace, then the interrupt; generous for a loaded machine, far from the 120 s timeout.
        #expect(stopAsked.all.first.map { ended.timeIntervalSince($0) < 10 } == true, "not the 120 s read timeout")
        paused.resume()
        _ = try await fixture.job().pull(fixture.source.options(connections: 2), password: sourcePassword)
        #expect(try snapshot(of: fixture.layout) == (try await snapshot(of: fixture.source.server)))
    }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func increment() -> Int { lock.lock(); defer { lock.unlock() }; value += 1; return value }
}

/// Processes stopped with SIGSTOP for a test, continued at the end whatever happens.
final class PausedProcesses: @unchecked Sendable {
    private let lock = NSLock()
    private var pids: [Int32] = []
    private var paused = 0
    var everPaused: Int { lock.lock(); defer { lock.unlock() }; return paused }
    func pause(_ list: [Int32]) {
        lock.lock(); defer { lock.unlock() }
        for pid in list where kill(pid, SIGSTOP) == 0 { pids.append(pid); paused += 1 }
    }
    func resume() {
        lock.lock(); defer { lock.unlock() }
        for pid in pids { kill(pid, SIGCONT) }
        pids = []
    }
}
