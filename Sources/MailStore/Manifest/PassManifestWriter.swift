import Foundation

/// Writes a `manifest.json` to a file element by element, so a pass of tens of thousands of
/// messages never builds the whole JSON tree in memory. Reads back as `PassManifest`.
public final class PassManifestWriter {
    private let handle: FileHandle
    private let encoder: JSONEncoder
    /// Elements are gathered into 64 KiB writes (two writes per message were 20,000 syscalls
    /// for a 10,000-message pass); the memory stays bounded by the buffer.
    private var pending = Data()
    private static let flushBytes = 64 * 1024

    public init(path: String) throws {
        FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
        handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    }

    /// Writes the document; every sequence is consumed once.
    public func write<Messages: Sequence, Updates: Sequence>(
        pass: Int64, kind: String, folders: [PassManifest.Folder], messages: Messages, flagUpdates: Updates,
        deletions: [PassManifest.Deletion], rekeyed: [PassManifest.Rekey]
    ) throws where Messages.Element == PassManifest.Message, Updates.Element == PassManifest.FlagUpdate {
        try raw("{\"schema\":")
        try value(PassManifest.schemaName)
        try raw(",\"pass\":\(pass),\"kind\":")
        try value(kind)
        try raw(",\"folders\":")
        try array(folders)
        try raw(",\"messages\":")
        try array(messages)
        try raw(",\"flagUpdates\":")
        try array(flagUpdates)
        try raw(",\"deletions\":")
        try array(deletions)
        try raw(",\"rekeyed\":")
        try array(rekeyed)
        try raw("}")
        try flush()
        try handle.synchronize()
        try handle.close()
    }

    private func array<Elements: Sequence>(_ elements: Elements) throws where Elements.Element: Encodable {
        try raw("[")
        var first = true
        for element in elements {
            if !first { try raw(",\n") }
            first = false
            try value(element)
        }
        try raw("]")
    }

    private func value<T: Encodable>(_ item: T) throws {
        pending.append(try encoder.encode(item))
        if pending.count >= Self.flushBytes { try flush() }
    }

    private func raw(_ text: String) throws {
        pending.append(contentsOf: text.utf8)
    }

    private func flush() throws {
        guard !pending.isEmpty else { return }
        try handle.write(contentsOf: pending)
        pending.removeAll(keepingCapacity: true)
    }
}
