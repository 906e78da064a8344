import Foundation
import Logging
import PostgresNIO

/// The schema, in numbered migrations applied once each (`mailferry_schema` records them).
extension PostgresBatchStore {

    static let migrations: [(version: Int, sql: [String])] = [
        (
            1,
            [
                """
                CREATE TABLE batch (
                    id BIGSERIAL PRIMARY KEY, name TEXT NOT NULL UNIQUE, target_server TEXT NOT NULL,
                    created_at TIMESTAMPTZ NOT NULL, closed_at TIMESTAMPTZ, runs INTEGER NOT NULL DEFAULT 0)
                """,
                """
                CREATE TABLE batch_job (
                    id BIGSERIAL PRIMARY KEY, batch_id BIGINT NOT NULL REFERENCES batch (id) ON DELETE CASCADE,
                    line INTEGER NOT NULL, source_server TEXT NOT NULL, source_port INTEGER NOT NULL,
                    source_tls BOOLEAN NOT NULL, source_user TEXT NOT NULL, target_user TEXT NOT NULL,
                    create_mailbox BOOLEAN NOT NULL, store_job TEXT NOT NULL, state TEXT NOT NULL,
                    request TEXT NOT NULL, failure_kind TEXT, last_error TEXT,
                    messages BIGINT NOT NULL DEFAULT 0, bytes BIGINT NOT NULL DEFAULT 0,
                    skipped BIGINT NOT NULL DEFAULT 0, flag_updates BIGINT NOT NULL DEFAULT 0,
                    started_at TIMESTAMPTZ, finished_at TIMESTAMPTZ, passes INTEGER NOT NULL DEFAULT 0,
                    source_secret BYTEA, target_secret BYTEA,
                    UNIQUE (batch_id, source_server, source_user, target_user))
                """,
                "CREATE INDEX batch_job_queue ON batch_job (batch_id, state, line, id)",
                """
                CREATE TABLE job_progress (
                    job_id BIGINT PRIMARY KEY REFERENCES batch_job (id) ON DELETE CASCADE,
                    messages_done BIGINT NOT NULL, messages_total BIGINT NOT NULL, bytes_done BIGINT NOT NULL,
                    bytes_per_second DOUBLE PRECISION NOT NULL, eta_seconds DOUBLE PRECISION,
                    updated_at TIMESTAMPTZ NOT NULL)
                """,
                """
                CREATE TABLE batch_web_access (
                    batch_id BIGINT PRIMARY KEY REFERENCES batch (id) ON DELETE CASCADE,
                    token TEXT NOT NULL UNIQUE, report_to TEXT, admin_user TEXT, admin_secret BYTEA)
                """,
            ]
        )
    ]

    func migrate() async throws {
        try await client.withTransaction(logger: logger) { connection in
            // One migrator at a time across every worker starting now.
            try await connection.query("SELECT pg_advisory_xact_lock(7309413127)", logger: logger)
            try await connection.query(
                "CREATE TABLE IF NOT EXISTS mailferry_schema (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL)",
                logger: logger)
            var applied = Set<Int>()
            for try await version in try await connection.query("SELECT version FROM mailferry_schema", logger: logger)
                .decode(Int.self)
            {
                applied.insert(version)
            }
            for migration in Self.migrations where !applied.contains(migration.version) {
                for statement in migration.sql {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query(
                    "INSERT INTO mailferry_schema (version, applied_at) VALUES (\(migration.version), now())",
                    logger: logger)
            }
        }
    }

    /// The schema versions applied (tests; `docs/scale.md`).
    public func schemaVersions() async throws -> [Int] {
        var versions: [Int] = []
        for try await version in try await client.query("SELECT version FROM mailferry_schema ORDER BY version")
            .decode(Int.self)
        {
            versions.append(version)
        }
        return versions
    }
}
