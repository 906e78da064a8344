import Foundation

/// One folder's Maildir (`cur/`, `new/`, `tmp/`) on disk.
public struct MaildirFolder: Sendable {
    public let path: String

    public init(root: String, relativePath: String) {
        path = relativePath.isEmpty ? root : "\(root)/\(relativePath)"
    }

    public var cur: String { path + "/cur" }
    /// Where a committed message file is; readers and trackers keyed by path all use this.
    public func storedPath(_ fileName: String) -> String { cur + "/" + fileName }
    public var tmp: String { path + "/tmp" }
    public var new: String { path + "/new" }

    public func create() throws {
        for directory in [cur, new, tmp] { try FileSystem.createDirectory(directory) }
    }

    /// Empties `tmp/`: whatever is there was never committed (a killed run).
    public func clearTemporaryFiles() {
        for name in FileSystem.fileNames(in: tmp) { unlink("\(tmp)/\(name)") }
    }

    /// Moves a finished message from `tmp/` into `cur/` under its final name.
    public func commit(temporaryPath: String, as name: MaildirFileName) throws {
        let target = "\(cur)/\(name.fileName)"
        guard Foundation.rename(temporaryPath, target) == 0 else {
            throw StoreError.fromErrno(path: target, operation: "rename")
        }
        DurableStep.reached(.rename, name.fileName)
    }

    /// Renames a stored message to carry new flags in its info suffix.
    public func rename(_ name: MaildirFileName, to newName: MaildirFileName) throws {
        let from = "\(cur)/\(name.fileName)", to = "\(cur)/\(newName.fileName)"
        guard from != to else { return }
        guard Foundation.rename(from, to) == 0 else { throw StoreError.fromErrno(path: from, operation: "rename") }
        DurableStep.reached(.rename, newName.fileName)
    }

    /// Every mailferry file in `cur/`, keyed by (UIDVALIDITY, UID).
    public func storedFiles() -> [MaildirFileName] {
        FileSystem.fileNames(in: cur).compactMap(MaildirFileName.init(parsing:))
    }

    public func remove(_ name: MaildirFileName) {
        unlink("\(cur)/\(name.fileName)")
    }

    /// Writes Dovecot's `dovecot-keywords` file (`<index> <keyword>` lines) atomically.
    public func writeKeywords(_ keywords: [String]) throws {
        try FileSystem.writeAtomically(Self.keywordsText(keywords), to: path + "/dovecot-keywords")
    }

    /// After an interrupted run: removes a half-written keywords file and rewrites the file when
    /// it differs from `keywords` (a folder's keywords are recorded as soon as they are seen,
    /// before the group commit that writes the file). Returns true when it rewrote the file.
    public func repairKeywords(_ keywords: [String]) throws -> Bool {
        unlink(path + "/dovecot-keywords.tmp")
        let expected = Self.keywordsText(keywords)
        let current = FileManager.default.contents(atPath: path + "/dovecot-keywords").map { Array($0) }
        if keywords.isEmpty ? current == nil || current == [] : current == expected { return false }
        try writeKeywords(keywords)
        return true
    }

    private static func keywordsText(_ keywords: [String]) -> [UInt8] {
        Array(keywords.enumerated().map { "\($0.offset) \($0.element)\n" }.joined().utf8)
    }

    /// Makes files in `tmp/` durable before they are renamed into `cur/`; the caller must call
    /// `syncDirectories()` after the renames, whose journal commit completes their durability.
    public static func syncFilesBeforeRename(_ paths: [String]) throws {
        try FileSystem.syncFilesBeforeDirectorySync(paths)
    }

    public func syncDirectories() throws {
        try FileSystem.fsyncDirectory(cur)
    }
}
