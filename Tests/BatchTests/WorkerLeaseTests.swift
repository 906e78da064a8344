import Foundation
import TestSupport
import Testing

@testable import Batch

/// What workers on many machines share in PostgreSQL: leases and their takeover, the per-host
/// cap over every worker, store affinity, guarded saves, names, the secret key, notifications.
/// A private cluster per test (`initdb` + `pg_ctl` on 127.0.0.1).
@Suite("PostgreSQL worker leases", .serialized)
struct WorkerLeaseTests {
    static func withStore(_ body: (PostgresBatchStore) async throws -> Void) async throws {
        let server = try await PostgresServer.start()
        defer { server.stop() }
        let store = try await PostgresBatchStore.connect(try PostgresLocation(url: server.url, password: nil))
        defer { store.shutdown() }
        try await body(store)
    }

    static func rows(_ hosts: [String]) -> [(BatchRow, SealedCredentials)] {
        hosts.enumerated().map { BatchStoreConformanceTests.row($0.offset + 1, $0.element, "u\($0.offset)") }
    }

    static func worker(_ name: String) -> WorkerRecord {
        WorkerRecord(name: name, host: "h-\(name)", pid: 1, store: "/s/\(name)", concurrency: 2)
    }

    @Test(
        "a lease renewed by heartbeats holds; one left to run out is taken over by the next claim, and its old holder can no longer save"
    )
    func takeover() async throws {
        try await Self.withStore { store in
            let batch = try await store.upsertBatch(
                name: "acme", targetServer: "imaps://t:993", rows: Self.rows(["a.example"]))
            try await store.register(Self.worker("w1"), lease: .seconds(2))
            try await store.register(Self.worker("w2"), lease: .seconds(2))
            // Leases are set by the heartbeat's own length, so no step depends on how fast a
            // loaded machine runs the test: a long renewal holds, a spent one is taken over.
            let claim = try #require(try await store.claimJob(worker: "w1", lease: .milliseconds(300)))
            #expect(
                claim.job.worker == "w1" && claim.batch.id == batch.id
                    && claim.credentials == BatchStoreConformanceTests.sealed)
            #expect(try await store.heartbeat(worker: "w1", lease: .seconds(120)) == [claim.job.id])
            try await Task.sleep(for: .seconds(1))
            #expect(
                try await store.claimJob(worker: "w2", lease: .seconds(2)) == nil,
                "renewed past its first 0.3 s: still w1's")
            #expect(try await store.heartbeat(worker: "w1", lease: .milliseconds(1)) == [claim.job.id])
            try await Task.sleep(for: .milliseconds(100))
            let taken = try #require(try await store.claimJob(worker: "w2", lease: .seconds(30)))
            #expect(taken.job.id == claim.job.id && taken.job.worker == "w2")
            #expect(try await store.heartbeat(worker: "w1", lease: .seconds(2)).isEmpty, "w1 learns it lost the job")
            var stale = claim.job
            stale.state = .done
            #expect(try await store.save(stale, worker: "w1") == false, "the old holder writes nothing")
            var current = taken.job
            current.state = .done
            #expect(try await store.save(current, worker: "w2"))
            let saved = try await store.jobs(batchID: batch.id)[0]
            #expect(saved.state == .done && saved.worker == "w2")
        }
    }

    @Test(
        "a worker's own claims spare its lapsed leases (a stalled machine, not a dead worker); its next process under the same name releases them"
    )
    func ownLeases() async throws {
        try await Self.withStore { store in
            let batch = try await store.upsertBatch(
                name: "acme", targetServer: "imaps://t:993", rows: Self.rows(["a.example", "b.example"]))
            try await store.register(Self.worker("w1"), lease: .seconds(30))
            let first = try #require(try await store.claimJob(worker: "w1", lease: .milliseconds(1)))
            try await Task.sleep(for: .milliseconds(100))
            let second = try #require(try await store.claimJob(worker: "w1", lease: .seconds(30)))
            #expect(second.job.id != first.job.id, "its own lapsed job was not put back and claimed again")
            #expect(try await store.heartbeat(worker: "w1", lease: .seconds(30)) == [first.job.id, second.job.id])
            // The process dies; the next one under the name releases what it held at once.
            var restarted = Self.worker("w1")
            restarted.pid = 2
            try await store.setWorkerState("w1", "stopped")
            try await store.register(restarted, lease: .seconds(30))
            let states = try await store.jobs(batchID: batch.id).map(\.state)
            #expect(states == [.queued, .queued], "\(states)")
        }
    }

    @Test("the per-host cap counts every worker's running jobs")
    func perHostCap() async throws {
        try await Self.withStore { store in
            let batch = try await store.upsertBatch(
                name: "acme", targetServer: "imaps://t:993",
                rows: Self.rows(["one.example", "ONE.example", "one.example", "two.example"]))
            try await store.setLimits(batchID: batch.id, perHostConnections: 4, connectionsPerJob: 2)
            let names = ["w1", "w2", "w3"]
            for name in names { try await store.register(Self.worker(name), lease: .seconds(30)) }
            var claims: [WorkerClaim] = []
            for name in names + names {
                if let claim = try await store.claimJob(worker: name, lease: .seconds(30)) { claims.append(claim) }
            }
            let hosts = claims.map { $0.job.sourceServer.lowercased() }
            #expect(
                hosts.filter { $0 == "one.example" }.count == 2,
                "4 connections at 2 a job: two at once, over all workers")
            #expect(hosts.filter { $0 == "two.example" }.count == 1 && claims.count == 3)
            var ended = claims[0].job
            ended.state = .done
            #expect(try await store.save(ended, worker: ended.worker!))
            let next = try #require(try await store.claimJob(worker: "w3", lease: .seconds(30)))
            #expect(next.job.sourceServer.lowercased() == "one.example", "a slot freed on one.example")
        }
    }

    @Test("a queued job whose store sits with a live worker goes to that worker first; to any once it is gone")
    func affinity() async throws {
        try await Self.withStore { store in
            let batch = try await store.upsertBatch(
                name: "acme", targetServer: "imaps://t:993", rows: Self.rows(["a.example"]))
            try await store.register(Self.worker("w1"), lease: .seconds(30))
            try await store.register(Self.worker("w2"), lease: .seconds(30))
            var job = try #require(try await store.claimJob(worker: "w1", lease: .seconds(30))).job
            job.state = .done
            #expect(try await store.save(job, worker: "w1"))
            #expect(try await store.rerun(batchID: batch.id) == 1, "the differential pass")
            #expect(
                try await store.claimJob(worker: "w2", lease: .seconds(30)) == nil, "left to w1, whose store has it")
            #expect(try await store.claimJob(worker: "w1", lease: .seconds(30))?.job.id == job.id)
            var again = try #require(try await store.jobs(batchID: batch.id).first)
            again.state = .done
            #expect(try await store.save(again, worker: "w1"))
            _ = try await store.rerun(batchID: batch.id)
            try await store.setWorkerState("w1", "stopped")
            #expect(try await store.claimJob(worker: "w2", lease: .seconds(30))?.job.id == job.id, "w1 is gone")
        }
    }

    @Test("a second live worker with a taken name is refused; a stopped one's name is free")
    func names() async throws {
        try await Self.withStore { store in
            try await store.register(Self.worker("w1"), lease: .seconds(30))
            var other = Self.worker("w1")
            other.pid = 2
            await #expect(throws: WorkerNameTaken.self) { try await store.register(other, lease: .seconds(30)) }
            try await store.setWorkerState("w1", "stopped")
            try await store.register(other, lease: .seconds(30))
            #expect(try await store.workers().map(\.pid) == [2])
        }
    }

    @Test("the first secret key is recorded; another key is refused, naming the database, never a key")
    func secretKey() async throws {
        try await Self.withStore { store in
            let key = SecretBox.randomKeyForTests(), other = SecretBox.randomKeyForTests()
            try await store.checkSecretKey(try SecretBox(key: key))
            try await store.checkSecretKey(try SecretBox(key: key))
            do {
                try await store.checkSecretKey(try SecretBox(key: other))
                Issue.record("another key was accepted")
            } catch let mismatch as SecretKeyMismatch {
                #expect(mismatch.description.contains("127.0.0.1"))
            }
        }
    }

    @Test("queueing and pause requests are notified to listeners, whichever process wrote them")
    func notifications() async throws {
        try await Self.withStore { store in
            let heard = Heard()
            let listener = Task { try await store.listen { await heard.add($0) } }
            defer { listener.cancel() }
            try await Task.sleep(for: .milliseconds(500))
            let batch = try await store.upsertBatch(
                name: "acme", targetServer: "imaps://t:993", rows: Self.rows(["a.example"]))
            try await store.register(Self.worker("w1"), lease: .seconds(30))
            let claim = try #require(try await store.claimJob(worker: "w1", lease: .seconds(30)))
            try await store.request(.pause, batchID: batch.id, jobIDs: nil)
            var waited = 0
            while await heard.all.count < 2 && waited < 50 {
                try await Task.sleep(for: .milliseconds(100))
                waited += 1
            }
            #expect(await heard.all == [.queued(batchID: batch.id), .request(jobID: claim.job.id)])
            #expect(try await store.pendingRequests(worker: "w1") == [claim.job.id: .pause])
        }
    }
}

actor Heard {
    var all: [WorkerWake] = []
    func add(_ wake: WorkerWake) { all.append(wake) }
}

extension SecretBox {
    static func randomKeyForTests() -> [UInt8] { (0..<32).map { _ in UInt8.random(in: 0...255) } }
}
