import Foundation
import GRDB
import MailStore

/// `BatchStore` in `batches.sqlite` of the store (0600, WAL).
public final class SQLiteBatchStore: BatchStore {
    let queue: DatabaseQueue
    public let path: String

    public init(path: String) throws {
        self.path = path
        if !FileManager.default.fileExists(atPath: path) {
            let descriptor = Glibc.open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            if descriptor >= 0 { Glibc.close(descriptor) }
        }
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        if DurableStep.isCounting {
            configuration.prepareDatabase { db in
                db.add(transactionObserver: CommitStepObserver(name: "batches"), extent: .databaseLifetime)
            }
        }
        queue = try DatabaseQueue(path: path, configuration: configuration)
        // Switching to WAL takes an exclusive lock that the busy timeout does not wait for: when
        // several commands open a new database at once (a runner and `batch status` polling), retry.
        for attempt in 1...50 {
            do {
                try queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = WAL") }
                break
            } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY && attempt < 50 {
                usleep(100_000)
            }
        }
        try Self.migrator.migrate(queue)
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.create(table: "batch") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("name", .text).notNull().unique()
                t.column("targetServer", .text).notNull()
                t.column("createdAt", .datetime).notNull()
                t.column("closedAt", .datetime)
                t.column("runs", .integer).notNull().defaults(to: 0)
            }
            try db.create(table: "batchJob") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("batchID", .integer).notNull().references("batch", onDelete: .cascade)
                t.column("line", .integer).notNull()
                t.column("sourceServer", .text).notNull()
                t.column("sourcePort", .integer).notNull()
                t.column("sourceTLS", .boolean).notNull()
                t.column("sourceUser", .text).notNull()
                t.column("targetUser", .text).notNull()
                t.column("createMailbox", .boolean).notNull()
                t.column("storeJob", .text).notNull()
                t.column("state", .text).notNull()
                t.column("request", .text).notNull()
                t.column("failureKind", .text)
                t.column("lastError", .text)
                t.column("messages", .integer).notNull().defaults(to: 0)
                t.column("bytes", .integer).notNull().defaults(to: 0)
                t.column("skipped", .integer).notNull().defaults(to: 0)
                t.column("flagUpdates", .integer).notNull().defaults(to: 0)
                t.column("startedAt", .datetime)
                t.column("finishedAt", .datetime)
                t.column("passes", .integer).notNull().defaults(to: 0)
                // Sealed with SecretBox; NULL once the batch is closed.
                t.column("sourceSecret", .blob)
                t.column("targetSecret", .blob)
                t.uniqueKey(["batchID", "sourceServer", "sourceUser", "targetUser"])
            }
        }
        migrator.registerMigration("v2: live progress") { db in
            try db.create(table: "jobProgress") { t in
                t.primaryKey("jobID", .integer).references("batchJob", onDelete: .cascade)
                t.column("messagesDone", .integer).notNull()
                t.column("messagesTotal", .integer).notNull()
                t.column("bytesDone", .integer).notNull()
                t.column("bytesPerSecond", .double).notNull()
                t.column("etaSeconds", .double)
                t.column("updatedAt", .datetime).notNull()
            }
        }
        migrator.registerMigration("v3: web access") { db in
            try db.create(table: "batchWebAccess") { t in
                t.primaryKey("batchID", .integer).references("batch", onDelete: .cascade)
                t.column("token", .text).notNull().unique()
                t.column("reportTo", .text)
                // The form's administrator login, for creating mailboxes after a restart; the
                // password sealed with SecretBox, wiped with the batch's other credentials.
                t.column("adminUser", .text)
                t.column("adminSecret", .blob)
            }
        }
        return migrator
    }

    public func upsertBatch(
        name: String, targetServer: String, rows: [(BatchRow, SealedCredentials)]
    ) throws -> BatchRecord {
        try queue.write { db in
            if try Row.fetchOne(db, sql: "SELECT id FROM batch WHERE name = ?", arguments: [name]) == nil {
                try db.execute(
                    sql: "INSERT INTO batch (name, targetServer, createdAt) VALUES (?, ?, ?)",
                    arguments: [name, targetServer, Date().databaseText])
            }
            let batchID = try Int64.fetchOne(db, sql: "SELECT id FROM batch WHERE name = ?", arguments: [name])!
            try db.execute(
                sql: "UPDATE batch SET targetServer = ?, closedAt = NULL, runs = runs + 1 WHERE id = ?",
                arguments: [targetServer, batchID])
            for (row, secrets) in rows {
                let storeJob = Self.storeJobName(row)
                try db.execute(
                    sql: """
                        INSERT INTO batchJob (batchID, line, sourceServer, sourcePort, sourceTLS, sourceUser, targetUser,
                            createMailbox, storeJob, state, request, sourceSecret, targetSecret)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'queued', 'none', ?, ?)
                        ON CONFLICT (batchID, sourceServer, sourceUser, targetUser) DO UPDATE SET
                            line = excluded.line, sourcePort = excluded.sourcePort, sourceTLS = excluded.sourceTLS,
                            createMailbox = excluded.createMailbox, state = 'queued', request = 'none',
                            sourceSecret = excluded.sourceSecret, targetSecret = excluded.targetSecret
                        """,
                    arguments: [
                        batchID, row.line, row.sourceServer, row.sourcePort, row.sourceTLS, row.sourceUser,
                        row.targetUser,
                        row.createMailbox, storeJob, secrets.source, secrets.target,
                    ])
            }
            return try Self.batch(db, id: batchID)!
        }
    }

    /// One store job per source account and target (a source moved to two targets is two jobs).
    static func storeJobName(_ row: BatchRow) -> String {
        let base = StoreLayout.jobName(user: row.sourceUser, host: row.sourceServer)
        return row.targetUser == row.sourceUser ? base : base + "--to--" + StoreLayout.safeFileName(row.targetUser)
    }

    public func batch(named name: String) throws -> BatchRecord? {
        try queue.read { db in
            guard let id = try Int64.fetchOne(db, sql: "SELECT id FROM batch WHERE name = ?", arguments: [name]) else {
                return nil
            }
            return try Self.batch(db, id: id)
        }
    }

    public func batches() throws -> [BatchRecord] {
        try queue.read { db in
            try Int64.fetchAll(db, sql: "SELECT id FROM batch ORDER BY id").compactMap { try Self.batch(db, id: $0) }
        }
    }

    static func batch(_ db: Database, id: Int64) throws -> BatchRecord? {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM batch WHERE id = ?", arguments: [id]) else {
            return nil
        }
        return BatchRecord(
            id: row["id"], name: row["name"], targetServer: row["targetServer"],
            createdAt: row.utcDate("createdAt") ?? row["createdAt"],
            closedAt: row.utcDate("closedAt"), runs: row["runs"])
    }

    public func jobs(batchID: Int64) throws -> [BatchJob] {
        try queue.read { db in
            let progress = try Row.fetchAll(
                db,
                sql: """
                    SELECT p.* FROM jobProgress p JOIN batchJob j ON j.id = p.jobID WHERE j.batchID = ?
                    """, arguments: [batchID]
            ).reduce(into: [Int64: BatchJobProgress]()) { found, row in
                found[row["jobID"]] = BatchJobProgress(
                    messagesDone: row["messagesDone"], messagesTotal: row["messagesTotal"], bytesDone: row["bytesDone"],
                    bytesPerSecond: row["bytesPerSecond"], etaSeconds: row["etaSeconds"],
                    updatedAt: row.utcDate("updatedAt") ?? row["updatedAt"])
            }
            return try Row.fetchAll(
                db, sql: "SELECT * FROM batchJob WHERE batchID = ? ORDER BY line, id", arguments: [batchID]
            ).map { row in
                var job = Self.job(row)
                job.progress = progress[job.id]
                return job
            }
        }
    }

    private static func job(_ row: Row) -> BatchJob {
        BatchJob(
            id: row["id"], batchID: row["batchID"], line: row["line"], sourceServer: row["sourceServer"],
            sourcePort: row["sourcePort"], sourceTLS: row["sourceTLS"], sourceUser: row["sourceUser"],
            targetUser: row["targetUser"], createMailbox: row["createMailbox"], storeJob: row["storeJob"],
            state: BatchJobState(rawValue: row["state"]) ?? .queued,
            request: BatchRequest(rawValue: row["request"]) ?? .none,
            failureKind: row["failureKind"], lastError: row["lastError"], messages: row["messages"],
            bytes: row["bytes"],
            skipped: row["skipped"], flagUpdates: row["flagUpdates"], startedAt: row.utcDate("startedAt"),
            finishedAt: row.utcDate("finishedAt"), passes: row["passes"])
    }

    public func credentials(jobID: Int64) throws -> SealedCredentials? {
        try queue.read { db in
            guard
                let row = try Row.fetchOne(
                    db, sql: "SELECT sourceSecret, targetSecret FROM batchJob WHERE id = ?", arguments: [jobID]),
                let source = row["sourceSecret"] as Data?, let target = row["targetSecret"] as Data?
            else { return nil }
            return SealedCredentials(source: source, target: target)
        }
    }

    public func claimNextJob(batchID: Int64, skippingHosts busyHosts: Set<String> = []) throws -> BatchJob? {
        try queue.write { db in
            let skip =
                busyHosts.isEmpty
                ? "" : " AND lower(sourceServer) NOT IN (" + busyHosts.map { _ in "?" }.joined(separator: ", ") + ")"
            guard
                let row = try Row.fetchOne(
                    db,
                    sql:
                        "SELECT * FROM batchJob WHERE batchID = ? AND state = 'queued'\(skip) ORDER BY line, id LIMIT 1",
                    arguments: StatementArguments([batchID] + busyHosts.sorted().map { $0 as DatabaseValueConvertible })
                )
            else { return nil }
            var job = Self.job(row)
            job.state = .checking
            job.startedAt = Date()
            job.finishedAt = nil
            job.failureKind = nil
            job.lastError = nil
            try db.execute(
                sql:
                    "UPDATE batchJob SET state = 'checking', startedAt = ?, finishedAt = NULL, failureKind = NULL, lastError = NULL WHERE id = ?",
                arguments: [job.startedAt?.databaseText, job.id])
            return job
        }
    }

    public func save(_ job: BatchJob) throws {
        try queue.write { db in
            try db.execute(
                sql: """
                    UPDATE batchJob SET state = ?, failureKind = ?, lastError = ?, messages = ?, bytes = ?, skipped = ?,
                        flagUpdates = ?, startedAt = ?, finishedAt = ?, passes = ?,
                        request = CASE WHEN ? THEN 'none' ELSE request END
                    WHERE id = ?
                    """,
                arguments: [
                    job.state.rawValue, job.failureKind, job.lastError, job.messages, job.bytes, job.skipped,
                    job.flagUpdates,
                    job.startedAt?.databaseText, job.finishedAt?.databaseText, job.passes, job.state.isFinal, job.id,
                ])
            if !job.state.isActive {
                try db.execute(sql: "DELETE FROM jobProgress WHERE jobID = ?", arguments: [job.id])
            }
        }
    }

    public func request(_ request: BatchRequest, batchID: Int64, jobIDs: [Int64]?) throws {
        let final: BatchJobState = request == .stop ? .stopped : .paused
        try queue.write { db in
            for job in try Row.fetchAll(
                db, sql: "SELECT id, state FROM batchJob WHERE batchID = ?", arguments: [batchID])
            {
                let id: Int64 = job["id"]
                guard jobIDs?.contains(id) ?? true else { continue }
                let state = BatchJobState(rawValue: job["state"]) ?? .queued
                if state == .queued {
                    try db.execute(sql: "UPDATE batchJob SET state = ? WHERE id = ?", arguments: [final.rawValue, id])
                } else if state.isActive {
                    try db.execute(
                        sql: "UPDATE batchJob SET request = ? WHERE id = ?", arguments: [request.rawValue, id])
                }
            }
        }
    }

    public func pendingRequests(batchID: Int64) throws -> [Int64: BatchRequest] {
        try queue.read { db in
            var result: [Int64: BatchRequest] = [:]
            for row in try Row.fetchAll(
                db, sql: "SELECT id, request FROM batchJob WHERE batchID = ? AND request != 'none'",
                arguments: [batchID])
            {
                result[row["id"]] = BatchRequest(rawValue: row["request"]) ?? BatchRequest.none
            }
            return result
        }
    }

    public func requeue(batchID: Int64, jobIDs: [Int64]?) throws {
        try queue.write { db in
            for id in try Int64.fetchAll(
                db, sql: "SELECT id FROM batchJob WHERE batchID = ? AND state IN ('paused', 'stopped')",
                arguments: [batchID])
            where jobIDs?.contains(id) ?? true {
                try db.execute(
                    sql: "UPDATE batchJob SET state = 'queued', request = 'none' WHERE id = ?", arguments: [id])
            }
        }
    }

    public func rerun(batchID: Int64) throws -> Int {
        try queue.write { db in
            try db.execute(sql: "UPDATE batch SET runs = runs + 1 WHERE id = ?", arguments: [batchID])
            try db.execute(
                sql: """
                    UPDATE batchJob SET state = 'queued', request = 'none'
                    WHERE batchID = ? AND sourceSecret IS NOT NULL
                        AND state NOT IN ('checking', 'provisioning', 'migrating', 'verifying')
                    """, arguments: [batchID])
            return db.changesCount
        }
    }

    public func recoverInterrupted(batchID: Int64) throws -> Int {
        try queue.write { db in
            try db.execute(
                sql: """
                    UPDATE batchJob SET state = CASE request WHEN 'pause' THEN 'paused' WHEN 'stop' THEN 'stopped' ELSE 'queued' END,
                        request = 'none'
                    WHERE batchID = ? AND state IN ('checking', 'provisioning', 'migrating', 'verifying')
                    """, arguments: [batchID])
            let recovered = db.changesCount
            try db.execute(
                sql: "DELETE FROM jobProgress WHERE jobID IN (SELECT id FROM batchJob WHERE batchID = ?)",
                arguments: [batchID])
            return recovered
        }
    }

    public func close(batchID: Int64) throws {
        try queue.write { db in
            try db.execute(
                sql: "UPDATE batchJob SET sourceSecret = NULL, targetSecret = NULL WHERE batchID = ?",
                arguments: [batchID])
            try db.execute(sql: "UPDATE batchWebAccess SET adminSecret = NULL WHERE batchID = ?", arguments: [batchID])
            try db.execute(
                sql: "UPDATE batch SET closedAt = ? WHERE id = ?", arguments: [Date().databaseText, batchID])
        }
    }
}
