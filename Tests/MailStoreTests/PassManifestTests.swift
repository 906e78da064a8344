import Foundation
import MailStore
import Testing

/// `manifest.json` / `metadata.json` (schema `mailferry-manifest/1`) as the archiver writes them.
@Suite("PassManifest")
struct PassManifestTests {
    /// The archiver's encoder settings.
    static func encode<T: Encodable>(_ value: T) throws -> [String: Any] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return try #require(try JSONSerialization.jsonObject(with: encoder.encode(value)) as? [String: Any])
    }

    static let manifest = PassManifest(
        schema: PassManifest.schemaName, pass: 2, kind: "delta",
        folders: [
            PassManifest.Folder(
                name: "INBOX", wireName: Data("INBOX".utf8).base64EncodedString(), separator: ".",
                attributes: ["\\HasNoChildren"], specialUse: nil, uidValidity: 1_700_000_000,
                highestUID: 42, highestModSeq: 9000, maildirPath: "", state: "active"),
            PassManifest.Folder(
                name: "Odeslaná", wireName: Data("Odeslan&AOE-".utf8).base64EncodedString(), separator: nil,
                attributes: [], specialUse: "\\Sent", uidValidity: nil, highestUID: 0, highestModSeq: nil,
                maildirPath: "Odeslan&AOE-", state: "gone"),
        ],
        messages: [
            PassManifest.Message(
                folder: "INBOX", uidValidity: 1_700_000_000, uid: 42, flags: ["\\Seen", "$Forwarded"],
                internalDate: "14-Nov-2023 22:13:20 +0100", size: 1234, sha256: String(repeating: "a", count: 64),
                messageID: nil, path: "Maildir/cur/1700000000.M42V1700000000.mailferry,S=1234:2,Sa")
        ],
        flagUpdates: [PassManifest.FlagUpdate(folder: "INBOX", uidValidity: 1_700_000_000, uid: 7, flags: [])])

    @Test("manifest.json carries the documented keys; absent optionals are left out")
    func manifestKeys() throws {
        let json = try Self.encode(Self.manifest)
        #expect(
            Set(json.keys) == ["schema", "pass", "kind", "folders", "messages", "flagUpdates", "deletions", "rekeyed"])
        #expect(json["schema"] as? String == "mailferry-manifest/1", "the version readers check")
        let folders = try #require(json["folders"] as? [[String: Any]])
        #expect(
            Set(folders[0].keys) == [
                "name", "wireName", "separator", "attributes", "uidValidity", "highestUID",
                "highestModSeq", "maildirPath", "state",
            ])
        #expect(
            Set(folders[1].keys) == [
                "name", "wireName", "attributes", "specialUse", "highestUID", "maildirPath", "state",
            ])
        #expect(folders[0]["wireName"] as? String == "SU5CT1g=")
        let message = try #require((json["messages"] as? [[String: Any]])?.first)
        #expect(
            Set(message.keys) == ["folder", "uidValidity", "uid", "flags", "internalDate", "size", "sha256", "path"])
        #expect(message["path"] as? String == "Maildir/cur/1700000000.M42V1700000000.mailferry,S=1234:2,Sa")
        let update = try #require((json["flagUpdates"] as? [[String: Any]])?.first)
        #expect(Set(update.keys) == ["folder", "uidValidity", "uid", "flags"])
        #expect((update["flags"] as? [Any])?.isEmpty == true, "an update to no flags is an empty list")
    }

    @Test("manifest.json decodes back to the same manifest")
    func roundTrip() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let decoded = try JSONDecoder().decode(PassManifest.self, from: encoder.encode(Self.manifest))
        #expect(decoded.schema == Self.manifest.schema)
        #expect(decoded.pass == 2 && decoded.kind == "delta")
        #expect(decoded.folders == Self.manifest.folders)
        #expect(decoded.messages == Self.manifest.messages)
        #expect(decoded.flagUpdates == Self.manifest.flagUpdates)
    }

    @Test("metadata.json: who, when, how much, with ISO 8601 times and no password")
    func metadata() throws {
        let metadata = PassMetadata(
            tool: "mailferry", toolVersion: "0.2.0", sourceHost: "imap.example.com", sourcePort: 993,
            sourceUser: "alice@example.com", pass: 1, kind: "full",
            startedAt: Date(timeIntervalSince1970: 1_795_602_900),
            finishedAt: Date(timeIntervalSince1970: 1_795_603_000),
            folders: 3, messages: 10, bytes: 12_345, flagUpdates: 0)
        let json = try Self.encode(metadata)
        #expect(
            Set(json.keys) == [
                "tool", "toolVersion", "sourceHost", "sourcePort", "sourceUser", "pass", "kind",
                "startedAt", "finishedAt", "folders", "messages", "bytes", "flagUpdates",
            ])
        #expect(json["startedAt"] as? String == "2026-11-25T10:35:00Z")
        #expect(json["finishedAt"] as? String == "2026-11-25T10:36:40Z")
        #expect(!json.keys.contains { $0.lowercased().contains("pass") && $0 != "pass" })
    }
}
