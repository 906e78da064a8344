import ArgumentParser
import Batch
import Foundation
import MailStore

/// `--store`, and the batch database and key in it.
struct BatchStoreOptions: ParsableArguments {
    @Option(help: "Store folder (the batch database, its key and every job's data).") var store = "./mailferry-data"

    /// The batch database; `creating` it only for `batch run` (the others need a batch to exist).
    func open(creating: Bool = false) throws -> SQLiteBatchStore {
        guard creating || FileManager.default.fileExists(atPath: store + "/batches.sqlite") else {
            throw CommandFailure(
                message: "no batches in \(store) (run `mailferry batch run FILE.csv` first)", exitCode: .badInput)
        }
        try FileManager.default.createDirectory(
            atPath: store, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        return try SQLiteBatchStore(path: store + "/batches.sqlite")
    }

    func secretBox() throws -> SecretBox { try SecretBox.load(keyFile: store + "/batch.key") }

    func batch(named name: String, in batches: SQLiteBatchStore) throws -> BatchRecord {
        guard let batch = try batches.batch(named: name) else {
            let known = try batches.batches().map(\.name)
            throw CommandFailure(
                message: "no batch \"\(name)\" in \(store)"
                    + (known.isEmpty ? "" : "; batches: \(known.joined(separator: ", "))"),
                exitCode: .badInput)
        }
        return batch
    }

    /// Jobs named on the command line by source account (or id); all when none are named.
    func jobIDs(_ names: [String], batch: BatchRecord, in batches: SQLiteBatchStore) throws -> [Int64]? {
        guard !names.isEmpty else { return nil }
        let jobs = try batches.jobs(batchID: batch.id)
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
