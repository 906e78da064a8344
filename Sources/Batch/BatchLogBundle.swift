import Foundation
import MailArchive
import MailStore

/// `batch logs`: every log of a batch in one zip — the batch's own logs and each job's step
/// logs (`2026-11-25T10-15-00Z-pull-user@example.com.log`), oldest first, newest last.
public enum BatchLogBundle {
    public static func batchLogDirectory(storeRoot: String, batch: String) -> String {
        "\(storeRoot)/batches/\(StoreLayout.safeFileName(batch))/logs"
    }

    /// Writes the zip at `path` (it must not exist); returns the entries in the order written.
    @discardableResult
    public static func write(
        batch: BatchRecord, jobs: [BatchJob], storeRoot: String, to path: String
    ) throws -> [String] {
        var files: [(entry: String, source: String, name: String)] = []
        func collect(_ directory: String, under prefix: String) {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
            where name.hasSuffix(".log") {
                files.append(("\(prefix)/\(name)", "\(directory)/\(name)", name))
            }
        }
        collect(batchLogDirectory(storeRoot: storeRoot, batch: batch.name), under: "batch")
        for job in jobs {
            collect(StoreLayout(storeRoot: storeRoot, job: job.storeJob).logs, under: job.storeJob)
        }
        // File names begin with their UTC creation time: sorting by name is sorting by time.
        files.sort { ($0.name, $0.entry) < ($1.name, $1.entry) }
        let writer = try ArchiveWriter(finalPath: path, compression: .none, format: .zip)
        for file in files {
            var info = stat()
            let time = stat(file.source, &info) == 0 ? Int(info.st_mtim.tv_sec) : 0
            try writer.addFile(entryPath: file.entry, sourcePath: file.source, modificationTime: time)
        }
        try writer.seal()
        return files.map(\.entry)
    }
}
