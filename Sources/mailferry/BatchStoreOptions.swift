import ArgumentParser
import Batch
import Foundation
import Logging
import MailStore

/// `--store`, and the batch database and key in it; or `--db`, a PostgreSQL database shared by
/// workers on many machines (`mailferry worker`), which then run the jobs.
struct BatchStoreOptions: ParsableArguments {
    @Option(help: "Store folder (the batch database, its key and every job's data).") var store = "./mailferry-data"
    @Option(
        help: ArgumentHelp(
            "A shared PostgreSQL batch database, postgres://user@host[:port]/db (default: MAILFERRY_DB); workers run its jobs.",
            discussion:
                "The password comes from MAILFERRY_DB_PASSWORD, never the URL; every machine needs the same MAILFERRY_SECRET_KEY."
        ))
    var db: String?

    /// The shared database given (`--db` or MAILFERRY_DB), if any.
    var sharedDatabase: PostgresLocation? {
        get throws {
            guard let url = db ?? ProcessInfo.processInfo.environment["MAILFERRY_DB"], !url.isEmpty else { return nil }
            do {
                return try PostgresLocation(
                    url: url, password: ProcessInfo.processInfo.environment["MAILFERRY_DB_PASSWORD"])
            } catch let invalid as PostgresLocationInvalid {
                throw CommandFailure(message: invalid.description, exitCode: .badInput)
            }
        }
    }

    /// Where the batches are, for messages.
    var place: String { (try? sharedDatabase)??.description ?? store }

    /// The batch database; `creating` it only for `batch run` (the others need a batch to exist).
    func open(creating: Bool = false) async throws -> any BatchStore {
        if let location = try sharedDatabase {
            let box = try secretBox()
            let shared = try await Self.connect(location)
            try await shared.checkSecretKey(box)
            return shared
        }
        guard creating || FileManager.default.fileExists(atPath: store + "/batches.sqlite") else {
            throw CommandFailure(
                message: "no batches in \(store) (run `mailferry batch run FILE.csv` first)", exitCode: .badInput)
        }
        try FileManager.default.createDirectory(
            atPath: store, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        return try SQLiteBatchStore(path: store + "/batches.sqlite")
    }

    /// The shared database, connected and migrated; unreachable or refusing the login is exit 3.
    static func connect(
        _ location: PostgresLocation, logger: Logger = Logger(label: "mailferry.postgres")
    )
        async throws -> PostgresBatchStore
    {
        do {
            return try await PostgresBatchStore.connect(location, logger: logger)
        } catch let failure as PostgresStoreError {
            throw CommandFailure(message: failure.description, exitCode: .connectionFailure)
        }
    }

    /// The key credentials are sealed with; on a shared database it must come from
    /// MAILFERRY_SECRET_KEY (a key file here would differ from every other machine's).
    func secretBox() throws -> SecretBox {
        if try sharedDatabase != nil, ProcessInfo.processInfo.environment["MAILFERRY_SECRET_KEY"] == nil {
            throw CommandFailure(
                message:
                    "a shared --db needs MAILFERRY_SECRET_KEY (64 hex digits, e.g. `openssl rand -hex 32`), the same on every machine",
                exitCode: .badInput)
        }
        return try SecretBox.load(keyFile: store + "/batch.key")
    }

    func batch(named name: String, in batches: any BatchStore) async throws -> BatchRecord {
        guard let batch = try await batches.batch(named: name) else {
            let known = try await batches.batches().map(\.name)
            throw CommandFailure(
                message: "no batch \"\(name)\" in \(place)"
                    + (known.isEmpty ? "" : "; batches: \(known.joined(separator: ", "))"),
                exitCode: .badInput)
        }
        return batch
    }

    /// Jobs named on the command line by source account (or id); all when none are named.
    func jobIDs(_ names: [String], batch: BatchRecord, in batches: any BatchStore) async throws -> [Int64]? {
        guard !names.isEmpty else { return nil }
        let jobs = try await batches.jobs(batchID: batch.id)
        return try names.map { name in
            guard
                let job = jobs.first(where: { $0.sourceUser == name || String($0.id) == name || $0.targetUser == name })
            else {
                throw CommandFailure(message: "no job \"\(name)\" in batch \(batch.name)", exitCode: .badInput)
            }
            return job.id
        }
    }
}
