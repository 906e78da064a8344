import Foundation

/// The manifest of one pass as stored in its archive (`manifest.json`). Versioned by `schema`;
/// `docs/store.md` describes every field.
public struct PassManifest: Codable, Sendable {
    public static let schemaName = "mailferry-manifest/1"

    public struct Folder: Codable, Sendable, Hashable {
        public var name: String
        /// Wire name bytes, base64 (exact even when not valid modified UTF-7).
        public var wireName: String
        public var separator: String?
        public var attributes: [String]
        public var specialUse: String?
        public var uidValidity: UInt32?
        public var highestUID: UInt32
        public var highestModSeq: UInt64?
        /// Folder directory inside the archive's `Maildir/` ("" for INBOX).
        public var maildirPath: String
        public var state: String
    }

    public struct Message: Codable, Sendable, Hashable {
        public var folder: String
        public var uidValidity: UInt32
        public var uid: UInt32
        public var flags: [String]
        public var internalDate: String
        public var size: Int64
        public var sha256: String
        public var messageID: String?
        /// Path of the file inside the archive.
        public var path: String
    }

    public struct FlagUpdate: Codable, Sendable, Hashable {
        public var folder: String
        public var uidValidity: UInt32
        public var uid: UInt32
        public var flags: [String]
    }

    public var schema: String
    public var pass: Int64
    public var kind: String
    public var folders: [Folder]
    public var messages: [Message]
    public var flagUpdates: [FlagUpdate]
}

/// Pass metadata (`metadata.json`): who, when, what tool, how much. Never a password.
public struct PassMetadata: Codable, Sendable {
    public var tool: String
    public var toolVersion: String
    public var sourceHost: String
    public var sourcePort: Int
    public var sourceUser: String
    public var pass: Int64
    public var kind: String
    public var startedAt: Date
    public var finishedAt: Date
    public var folders: Int
    public var messages: Int
    public var bytes: Int64
    public var flagUpdates: Int
}
