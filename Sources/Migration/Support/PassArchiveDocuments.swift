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

    /// Both documents, or only the metadata (which is small) when `manifest` is false.
    static func read(_ path: String, manifest wantsManifest: Bool = true) throws -> PassArchiveDocuments {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .utcISO8601
        var found = PassArchiveDocuments()
        do {
            try ArchiveReader(path: path).forEachEntry { info, stream in
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
                if found.metadata != nil && (found.manifest != nil || !wantsManifest) { throw Complete(documents: found) }
            }
        } catch let complete as Complete {
            return complete.documents
        }
        return found
    }
}
