import Foundation
import MailArchive
import MailStore

/// The two JSON documents of a pass archive. Archives sealed at the end of a pass carry them
/// first; archives built while the pass ran carry them last, after the messages. Reading them
/// first means one extra read of the archive, which skips message data without decompressing
/// it when the archive is plain tar.
struct PassArchiveDocuments {
    var metadata: PassMetadata?
    var manifest: PassManifest?

    private struct Complete: Error { let documents: PassArchiveDocuments }

    /// Both documents, or only the metadata (which is small) when `manifest` is false. Anything
    /// that is not a readable archive with those documents is `NotAMailferryArchive`.
    static func read(
        _ path: String, manifest wantsManifest: Bool = true, key: ArchiveKey? = nil
    ) throws -> PassArchiveDocuments {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw NotAMailferryArchive(path: path, reason: "no such file")
        }
        if isDirectory.boolValue { throw NotAMailferryArchive(path: path, reason: "it is a directory") }
        let found: PassArchiveDocuments
        do {
            found = try readDocuments(path, manifest: wantsManifest, key: key)
        } catch let error as ArchiveError where error.libarchiveMessage != nil {
            throw NotAMailferryArchive(
                path: path, reason: "not a readable tar archive (\(error.libarchiveMessage ?? "\(error)"))")
        } catch is DecodingError {
            throw NotAMailferryArchive(path: path, reason: "its metadata.json or manifest.json is not mailferry's")
        }
        if found.metadata == nil { throw NotAMailferryArchive(path: path, reason: "no metadata.json in it") }
        if wantsManifest && found.manifest == nil {
            throw NotAMailferryArchive(path: path, reason: "no manifest.json in it")
        }
        return found
    }

    private static func readDocuments(
        _ path: String, manifest wantsManifest: Bool, key: ArchiveKey?
    ) throws -> PassArchiveDocuments {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .utcISO8601
        var found = PassArchiveDocuments()
        do {
            try ArchiveReader(path: path, key: key).forEachEntry { info, stream in
                switch info.path {
                case "metadata.json":
                    found.metadata = try decoder.decode(PassMetadata.self, from: Data(stream.readAll(limit: 1 << 20)))
                case "manifest.json" where wantsManifest:
                    let document = try decoder.decode(PassManifest.self, from: Data(stream.readAll(limit: 512 << 20)))
                    guard document.schema == PassManifest.schemaName else {
                        throw StoreError.corrupt(path: path, reason: "unknown manifest schema \(document.schema)")
                    }
                    found.manifest = document
                default:
                    return
                }
                if found.metadata != nil && (found.manifest != nil || !wantsManifest) {
                    throw Complete(documents: found)
                }
            }
        } catch let complete as Complete {
            return complete.documents
        }
        return found
    }
}

/// A file given as an archive that mailferry did not write (or that lost its documents).
public struct NotAMailferryArchive: Error, CustomStringConvertible, Sendable {
    public let path: String
    public let reason: String
    public var description: String { "\(path): not a mailferry archive: \(reason)" }
}

private extension ArchiveError {
    /// libarchive's own words without the archive path the caller already prints.
    var libarchiveMessage: String? {
        if case .libarchive(_, _, _, let message) = self { return message }
        return nil
    }
}
