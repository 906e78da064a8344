/// Everything that can go wrong with a backup archive. Every case names the archive, and the
/// entry where one is involved, because "libarchive failed" alone is useless in a batch log
/// covering hundreds of mailboxes.
public enum ArchiveError: Error, CustomStringConvertible, Sendable {
    /// The process locale could not be made UTF-8; libarchive would crash on non-ASCII names.
    case localeUnavailable(archivePath: String, codeset: String)
    /// `ArchiveWriter` refuses to replace an archive that already exists (a sealed pass).
    case destinationExists(archivePath: String)
    /// A system call failed. `path` is the file the call was about.
    case fileSystem(archivePath: String, entryPath: String?, operation: String, path: String, reason: String)
    /// A libarchive call failed; `message` is its error string (or a substitute when it has none).
    case libarchive(archivePath: String, entryPath: String?, operation: String, message: String)
    /// `addFile` was given something other than a regular file.
    case sourceNotRegularFile(archivePath: String, entryPath: String, sourcePath: String)
    /// The source file grew or shrank while it was being copied into the archive.
    case sourceSizeChanged(archivePath: String, entryPath: String, sourcePath: String, expected: Int64, observed: Int64)
    /// `readAll(limit:)` met an entry bigger than the caller allowed.
    case entryTooLarge(archivePath: String, entryPath: String, size: Int64, limit: Int)
    /// An entry path that is empty, contains NUL, or (when extracting) would escape the destination.
    case rejectedEntryPath(archivePath: String, entryPath: String, reason: String)
    /// Extraction met a symlink, hard link, device or similar, which a mail backup never contains.
    case unsupportedEntryType(archivePath: String, entryPath: String, kind: ArchiveEntryKind)
    /// The writer was used after `seal()`, `abandon()`, or a failure that left the archive unusable.
    case writerUnusable(archivePath: String, reason: String)
    /// An `ArchiveEntryStream` was used after its `forEachEntry` callback returned.
    case streamExpired(archivePath: String, entryPath: String)
    /// The archive is encrypted and no key or passphrase was given.
    case encryptedArchiveNeedsKey(archivePath: String, scheme: String)
    /// The key or passphrase given does not open the archive.
    case wrongArchiveKey(archivePath: String, detail: String)
    /// An encrypted archive failed its checks: altered, reordered or cut off.
    case archiveTampered(archivePath: String, detail: String)

    public var description: String {
        switch self {
        case .localeUnavailable(let archive, let codeset):
            return "archive \(archive): the process locale is \(codeset), not UTF-8 (setlocale C.UTF-8 failed)"
        case .destinationExists(let archive):
            return "archive \(archive): already exists, refusing to overwrite it"
        case .fileSystem(let archive, let entry, let operation, let path, let reason):
            return "archive \(archive)\(Self.entryText(entry)): \(operation) \(path) failed: \(reason)"
        case .libarchive(let archive, let entry, let operation, let message):
            return "archive \(archive)\(Self.entryText(entry)): \(operation) failed: \(message)"
        case .sourceNotRegularFile(let archive, let entry, let source):
            return "archive \(archive)\(Self.entryText(entry)): source \(source) is not a regular file"
        case .sourceSizeChanged(let archive, let entry, let source, let expected, let observed):
            return "archive \(archive)\(Self.entryText(entry)): source \(source) changed size while being read "
                + "(expected \(expected) bytes, saw \(observed))"
        case .entryTooLarge(let archive, let entry, let size, let limit):
            return
                "archive \(archive)\(Self.entryText(entry)): entry has \(size) bytes, more than the limit of \(limit)"
        case .rejectedEntryPath(let archive, let entry, let reason):
            return "archive \(archive)\(Self.entryText(entry)): entry path rejected: \(reason)"
        case .unsupportedEntryType(let archive, let entry, let kind):
            return "archive \(archive)\(Self.entryText(entry)): unsupported entry type \(kind)"
        case .writerUnusable(let archive, let reason):
            return "archive \(archive): writer can no longer be used: \(reason)"
        case .streamExpired(let archive, let entry):
            return "archive \(archive)\(Self.entryText(entry)): entry stream used after its callback returned"
        case .encryptedArchiveNeedsKey(let archive, let scheme):
            return
                "archive \(archive) is encrypted (\(scheme)): give its key with --archive-key-file, or its passphrase in MAILFERRY_ARCHIVE_PASSPHRASE or --archive-passphrase-file"
        case .wrongArchiveKey(let archive, let detail):
            return "archive \(archive): wrong key or passphrase (\(detail))"
        case .archiveTampered(let archive, let detail):
            return "archive \(archive) is damaged or was tampered with: \(detail); nothing of it is trusted"
        }
    }

    private static func entryText(_ entry: String?) -> String {
        guard let entry else { return "" }
        return ", entry \"\(entry)\""
    }
}
