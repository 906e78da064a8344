import Foundation
import TestSupport
import Testing

@testable import Batch

/// The same behaviour from both `BatchStore`s: SQLite in a temporary file, and PostgreSQL in a
/// private cluster this test starts (`initdb` + `pg_ctl`, 127.0.0.1, a free port).
@Suite("BatchStore: SQLite and PostgreSQL behave alike", .serialized)
struct BatchStoreConformanceTests {
    enum Kind: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case sqlite, postgres
        var testDescription: String { rawValue }
    }

    /// A fresh, empty store of the kind, and what stops it.
    static func makeStore(_ kind: Kind) async throws -> (any BatchStore, @Sendable () -> Void) {
        switch kind {
        case .sqlite:
            let directory = try TemporaryDirectory()
            let store = try SQLiteBatchStore(path: directory.file("batches.sqlite"))
            return (store, { _ = directory })
        case .postgres:
            let server = try await PostgresServer.start()
            do {
                let store = try await PostgresBatchStore.connect(
                    try PostgresLocation(url: server.url, password: nil))
                return (
                    store,
                    {
                        store.shutdown(); server.stop()
                    }
                )
            } catch {
                server.stop()
                throw error
            }
        }
    }

    static let sealed = SealedCredentials(source: Data([1, 2, 0, 255]), target: Data([3, 4]))

    static func row(_ line: Int, _ host: String, _ user: String, target: String? = nil) -> (BatchRow, SealedCredentials)
    {
        (
            BatchRow(
                line: line, sourceServer: host, sourceUser: user, sourcePassword: "", sourcePort: 993, sourceTLS: true,
                targetUser: target ?? user, targetPassword: "", createMailbox: false), sealed
        )
    }

    @Test(
        "batches and jobs: upsert keeps a row's job and requeues it; claims skip busy hosts; save and progress",
        arguments: Kind.allCases)
    func jobsLifecycle(_ kind: Kind) async throws {
        let (store, stop) = try await Self.makeStore(kind)
        defer { stop() }
        let batch = try await store.upsertBatch(
            name: "acme", targetServer: "imaps://t:993",
            rows: [
                Self.row(1, "Busy.example", "a"), Self.row(2, "busy.example", "b"), Self.row(3, "quiet.example", "c"),
            ])
        #expect(batch.name == "acme" && batch.runs == 1 && batch.closedAt == nil)
        #expect(try await store.batch(named: "acme")?.id == batch.id)
        #expect(try await store.batch(named: "other") == nil)
        #expect(try await store.batches().map(\.name) == ["acme"])
        let jobs = try await store.jobs(batchID: batch.id)
        #expect(jobs.map(\.line) == [1, 2, 3] && jobs.allSatisfy { $0.state == .queued })
        #expect(try await store.credentials(jobID: jobs[0].id) == Self.sealed)

        var first = try #require(try await store.claimNextJob(batchID: batch.id, skippingHosts: []))
        #expect(first.line == 1 && first.state == .checking && first.startedAt != nil)
        #expect(try await store.claimNextJob(batchID: batch.id, skippingHosts: ["busy.example"])?.line == 3)
        #expect(try await store.claimNextJob(batchID: batch.id, skippingHosts: ["busy.example"]) == nil)

        first.state = .migrating
        try await store.save(first)
        let progress = BatchJobProgress(
            messagesDone: 5, messagesTotal: 10, bytesDone: 500, bytesPerSecond: 50, etaSeconds: 2.5,
            updatedAt: Date(timeIntervalSince1970: 1_800_000_000))
        try await store.saveProgress([first.id: progress])
        #expect(try await store.jobs(batchID: batch.id).first { $0.id == first.id }?.progress == progress)
        first.state = .done
        first.messages = 10
        first.bytes = 1000
        first.passes = 1
        first.finishedAt = Date(timeIntervalSince1970: 1_800_000_100)
        try await store.save(first)
        let saved = try #require(try await store.jobs(batchID: batch.id).first { $0.id == first.id })
        #expect(saved.state == .done && saved.messages == 10 && saved.bytes == 1000 && saved.passes == 1)
        #expect(saved.progress == nil, "an ended job keeps no progress row")
        #expect(saved.finishedAt == first.finishedAt)

        // The same file read again: the same jobs, queued again, one more run; a new row is a new job.
        let again = try await store.upsertBatch(
            name: "acme", targetServer: "imaps://t2:993",
            rows: [Self.row(1, "Busy.example", "a"), Self.row(4, "new.example", "d")])
        #expect(again.id == batch.id && again.runs == 2 && again.targetServer == "imaps://t2:993")
        let after = try await store.jobs(batchID: batch.id)
        #expect(after.count == 4)
        #expect(after.first { $0.id == first.id }?.state == .queued, "the done job is queued for a differential pass")
        #expect(after.first { $0.id == first.id }?.messages == 10, "and keeps its history")
    }

    @Test("pause and stop requests, requeue, rerun, recovery after a dead runner, close", arguments: Kind.allCases)
    func steering(_ kind: Kind) async throws {
        let (store, stop) = try await Self.makeStore(kind)
        defer { stop() }
        let batch = try await store.upsertBatch(
            name: "b", targetServer: "imaps://t:993",
            rows: [Self.row(1, "h", "a"), Self.row(2, "h", "b"), Self.row(3, "h", "c")])
        var running = try #require(try await store.claimNextJob(batchID: batch.id, skippingHosts: []))
        running.state = .migrating
        try await store.save(running)
        try await store.request(.pause, batchID: batch.id, jobIDs: nil)
        var jobs = try await store.jobs(batchID: batch.id)
        #expect(jobs.map(\.state) == [.migrating, .paused, .paused])
        #expect(try await store.pendingRequests(batchID: batch.id) == [running.id: .pause])
        try await store.requeue(batchID: batch.id, jobIDs: [jobs[1].id])
        jobs = try await store.jobs(batchID: batch.id)
        #expect(jobs.map(\.state) == [.migrating, .queued, .paused])
        try await store.request(.stop, batchID: batch.id, jobIDs: [jobs[1].id])
        #expect(try await store.jobs(batchID: batch.id).map(\.state) == [.migrating, .stopped, .paused])

        // The runner died: its job goes back as the request said (pause → paused).
        #expect(try await store.recoverInterrupted(batchID: batch.id) == 1)
        jobs = try await store.jobs(batchID: batch.id)
        #expect(jobs.map(\.state) == [.paused, .stopped, .paused])
        #expect(try await store.pendingRequests(batchID: batch.id).isEmpty)
        #expect(try await store.rerun(batchID: batch.id) == 3)
        #expect(try await store.batch(named: "b")?.runs == 2)
        #expect(try await store.jobs(batchID: batch.id).allSatisfy { $0.state == .queued })

        _ = try await store.grantWebAccess(batchID: batch.id, reportTo: nil)
        try await store.saveAdministrator(batchID: batch.id, user: "admin", sealedPassword: Data([9, 9]))
        try await store.close(batchID: batch.id)
        #expect(try await store.credentials(jobID: jobs[0].id) == nil, "close wipes the credentials")
        #expect(try await store.administrator(batchID: batch.id).sealedPassword == nil)
        #expect(try await store.administrator(batchID: batch.id).user == "admin")
        #expect(try await store.batch(named: "b")?.closedAt != nil)
        #expect(try await store.rerun(batchID: batch.id) == 0, "no credentials, nothing to rerun")
    }

    @Test("web access: one token per batch, kept; found by token; the administrator kept", arguments: Kind.allCases)
    func webAccess(_ kind: Kind) async throws {
        let (store, stop) = try await Self.makeStore(kind)
        defer { stop() }
        let batch = try await store.upsertBatch(name: "w", targetServer: "imaps://t:993", rows: [Self.row(1, "h", "a")])
        #expect(try await store.webAccess(batchID: batch.id) == nil)
        let access = try await store.grantWebAccess(batchID: batch.id, reportTo: "ops@example.test")
        #expect(access.token.count == 32 && access.token.allSatisfy(\.isHexDigit))
        let again = try await store.grantWebAccess(batchID: batch.id, reportTo: nil)
        #expect(again == access, "the token is kept, and so is where the report goes")
        #expect(try await store.webAccess(batchID: batch.id) == access)
        let found = try #require(try await store.batch(accessToken: access.token))
        #expect(found.0.id == batch.id && found.1 == access)
        #expect(try await store.batch(accessToken: String(repeating: "0", count: 32)) == nil)
        try await store.saveAdministrator(batchID: batch.id, user: "admin@example.test", sealedPassword: Data([7]))
        let admin = try await store.administrator(batchID: batch.id)
        #expect(admin.user == "admin@example.test" && admin.sealedPassword == Data([7]))
    }

    @Test("concurrent claims never share a job (PostgreSQL: FOR UPDATE SKIP LOCKED across connections)")
    func concurrentClaims() async throws {
        let (store, stop) = try await Self.makeStore(.postgres)
        defer { stop() }
        let batch = try await store.upsertBatch(
            name: "many", targetServer: "imaps://t:993",
            rows: (1...60).map { Self.row($0, "h\($0 % 7).example", "user\($0)") })
        let claimed = try await withThrowingTaskGroup(of: [Int64].self) { group in
            for _ in 0..<6 {
                group.addTask {
                    var mine: [Int64] = []
                    while let job = try await store.claimNextJob(batchID: batch.id, skippingHosts: []) {
                        mine.append(job.id)
                    }
                    return mine
                }
            }
            var all: [Int64] = []
            for try await ids in group { all += ids }
            return all
        }
        #expect(claimed.count == 60 && Set(claimed).count == 60, "every job claimed exactly once")
    }

    @Test("the schema is migrated once, also by several stores connecting at once; a password in the URL is refused")
    func migrations() async throws {
        let server = try await PostgresServer.start()
        defer { server.stop() }
        let location = try PostgresLocation(url: server.url, password: nil)
        let stores = try await withThrowingTaskGroup(of: PostgresBatchStore.self) { group in
            for _ in 0..<4 { group.addTask { try await PostgresBatchStore.connect(location) } }
            var all: [PostgresBatchStore] = []
            for try await store in group { all.append(store) }
            return all
        }
        defer { stores.forEach { $0.shutdown() } }
        #expect(try await stores[0].schemaVersions() == [1, 2])
        #expect(throws: PostgresLocationInvalid.self) {
            _ = try PostgresLocation(url: "postgres://u:secret@db.example/x", password: nil)
        }
        let refused =
            "\((try? PostgresLocation(url: "postgres://u:secret@db.example/x", password: nil)).map { "\($0)" } ?? "")"
        #expect(!refused.contains("secret"))
        #expect(try PostgresLocation(url: "postgres://u@db.example/x", password: nil).tls == .require)
        #expect(try PostgresLocation(url: "postgres://u@127.0.0.1/x", password: nil).tls == .disable)
    }
}
