import Foundation
import MailArchive
import MailStore

/// What `inspect` reports about one archive: pass info, per-folder counts and sizes, and the
/// result of re-hashing every message entry against the manifest.
public struct ArchiveInspection: Codable, Sendable {
    public struct FolderLine: Codable, Sendable {
        public var name: String
        public var messages: Int
        public var bytes: Int64
    }

    public struct Problem: Codable, Sendable {
        public var path: String
        public var reason: String
    }

    public var archive: String
    public var metadata: PassMetadata?
    public var folders: [FolderLine]
    public var messages: Int
    public var bytes: Int64
    public var flagUpdates: Int
    public var entriesChecked: Int
    public var problems: [Problem]

    public var isIntact: Bool { problems.isEmpty && metadata != nil }

    /// Reads the manifest and metadata, then streams the archive once more: each message entry
    /// is hashed as it passes and compared with what the manifest recorded.
    public static func inspect(archive path: String, key: ArchiveKey? = nil) throws -> ArchiveInspection {
        let documents = try PassArchiveDocuments.read(path, key: key)
        let metadata = documents.metadata, manifest = documents.manifest  // both present: read() checks
        var expected = Dictionary((manifest?.messages ?? []).map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
        var problems: [Problem] = []
        var checked = 0
        if manifest != nil {
            try ArchiveReader(path: path, key: key).forEachEntry { info, stream in
                guard info.isRegularFile, info.path.contains("/cur/") else { return }
                guard let message = expected.removeValue(forKey: info.path) else {
                    problems.append(Problem(path: info.path, reason: "not in the manifest"))
                    return
                }
                let hasher = SHA256Hasher()
                var size: Int64 = 0
                try stream.read { chunk in
                    hasher.update(chunk); size += Int64(chunk.count)
                }
                checked += 1
                let digest = hasher.finalizeHex()
                if size != message.size {
                    problems.append(Problem(path: info.path, reason: "size \(size), manifest says \(message.size)"))
                } else if digest != message.sha256 {
                    problems.append(Problem(path: info.path, reason: "SHA-256 differs from the manifest"))
                }
            }
        }
        guard let manifest else {
            return ArchiveInspection(
                archive: path, metadata: metadata, folders: [], messages: 0, bytes: 0, flagUpdates: 0,
                entriesChecked: checked,
                problems: [Problem(path: "manifest.json", reason: "missing: not a mailferry archive")])
        }
        for path in expected.keys.sorted() {
            problems.append(Problem(path: path, reason: "in the manifest but missing from the archive"))
        }
        var lines: [String: FolderLine] = [:]
        for folder in manifest.folders { lines[folder.name] = FolderLine(name: folder.name, messages: 0, bytes: 0) }
        for message in manifest.messages {
            lines[message.folder, default: FolderLine(name: message.folder, messages: 0, bytes: 0)].messages += 1
            lines[message.folder]!.bytes += message.size
        }
        return ArchiveInspection(
            archive: path, metadata: metadata, folders: lines.values.sorted { $0.name < $1.name },
            messages: manifest.messages.count, bytes: manifest.messages.reduce(0) { $0 + $1.size },
            flagUpdates: manifest.flagUpdates.count, entriesChecked: checked, problems: problems)
    }

    /// The human-readable report.
    public var text: String {
        var lines = ["Archive    \(archive)"]
        if let metadata {
            lines.append(
                "Pass       \(metadata.pass) (\(metadata.kind)), \(metadata.sourceUser) on \(metadata.sourceHost), mailferry \(metadata.toolVersion)"
            )
            lines.append("Time       \(metadata.startedAt) – \(metadata.finishedAt)")
            if let encryption = metadata.encryption { lines.append("Encrypted  \(encryption)") }
        }
        let width = max(6, folders.map(\.name.count).max() ?? 6)
        lines.append("")
        lines.append("Folder".padding(toLength: width, withPad: " ", startingAt: 0) + "  Messages        Size")
        for folder in folders {
            lines.append(
                folder.name.padding(toLength: width, withPad: " ", startingAt: 0) + "  "
                    + String(folder.messages).leftPadded(8) + "  " + ByteCountText.format(folder.bytes).leftPadded(10))
        }
        lines.append(
            "Total".padding(toLength: width, withPad: " ", startingAt: 0) + "  " + String(messages).leftPadded(8)
                + "  " + ByteCountText.format(bytes).leftPadded(10))
        lines.append("Flag updates \(flagUpdates)")
        lines.append("")
        lines.append(
            isIntact
                ? "Integrity  OK: \(entriesChecked) messages re-hashed, all match the manifest"
                : "Integrity  FAILED: \(problems.count) problem(s)")
        lines += problems.map { "  - \($0.path): \($0.reason)" }
        return lines.joined(separator: "\n")
    }
}
