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

        public init(
            name: String, wireName: String, separator: String?, attributes: [String], specialUse: String?,
            uidValidity: UInt32?, highestUID: UInt32, highestModSeq: UInt64?, maildirPath: String, state: String
        ) {
            self.name = name; self.wireName = wireName; self.separator = separator; self.attributes = attributes;
            self.specialUse = specialUse; self.uidValidity = uidValidity; self.highestUID = highestUID;
            self.highestModSeq = highestModSeq; self.maildirPath = maildirPath; self.state = state
        }
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

        public init(
            folder: String, uidValidity: UInt32, uid: UInt32, flags: [String], internalDate: String, size: Int64,
            sha256: String, messageID: String?, path: String
        ) {
            self.folder = folder; self.uidValidity = uidValidity; self.uid = uid; self.flags = flags;
            self.internalDate = internalDate; self.size = size; self.sha256 = sha256; self.messageID = messageID;
            self.path = path
        }
    }

    public struct FlagUpdate: Codable, Sendable, Hashable {
        public var folder: String
        public var uidValidity: UInt32
        public var uid: UInt32
        public var flags: [String]

        public init(folder: String, uidValidity: UInt32, uid: UInt32, flags: [String]) {
            self.folder = folder; self.uidValidity = uidValidity; self.uid = uid; self.flags = flags
        }
    }

    /// A message of an earlier pass that this pass found deleted at the source.
    public struct Deletion: Codable, Sendable, Hashable {
        public var folder: String
        public var uidValidity: UInt32
        public var uid: UInt32
        public init(folder: String, uidValidity: UInt32, uid: UInt32) {
            self.folder = folder; self.uidValidity = uidValidity; self.uid = uid
        }
    }

    /// A message of an earlier pass that now has a new UIDVALIDITY/UID (same bytes).
    public struct Rekey: Codable, Sendable, Hashable {
        public var folder: String
        public var fromUIDValidity: UInt32
        public var fromUID: UInt32
        public var toUIDValidity: UInt32
        public var toUID: UInt32
        public init(folder: String, fromUIDValidity: UInt32, fromUID: UInt32, toUIDValidity: UInt32, toUID: UInt32) {
            self.folder = folder; self.fromUIDValidity = fromUIDValidity; self.fromUID = fromUID
            self.toUIDValidity = toUIDValidity; self.toUID = toUID
        }
    }

    public var schema: String
    public var pass: Int64
    public var kind: String
    public var folders: [Folder]
    public var messages: [Message]
    public var flagUpdates: [FlagUpdate]
    /// Absent in archives written before they were recorded.
    public var deletions: [Deletion]?
    public var rekeyed: [Rekey]?

    public init(
        schema: String, pass: Int64, kind: String, folders: [Folder], messages: [Message], flagUpdates: [FlagUpdate],
        deletions: [Deletion] = [], rekeyed: [Rekey] = []
    ) {
        self.schema = schema; self.pass = pass; self.kind = kind
        self.folders = folders; self.messages = messages; self.flagUpdates = flagUpdates
        self.deletions = deletions; self.rekeyed = rekeyed
    }

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
    /// The source's personal namespace prefix (absent in archives before 0.2.0's schema v6).
    public var sourceNamespacePrefix: String?
    /// How the archive file is encrypted ("aes-256-gcm-chunked-v1, passphrase, …"); absent when it is not.
    public var encryption: String?

    public init(
        tool: String, toolVersion: String, sourceHost: String, sourcePort: Int, sourceUser: String, pass: Int64,
        kind: String, startedAt: Date, finishedAt: Date, folders: Int, messages: Int, bytes: Int64, flagUpdates: Int,
        sourceNamespacePrefix: String? = nil
    ) {
        self.sourceNamespacePrefix = sourceNamespacePrefix
        self.tool = tool; self.toolVersion = toolVersion; self.sourceHost = sourceHost; self.sourcePort = sourcePort;
        self.sourceUser = sourceUser; self.pass = pass; self.kind = kind; self.startedAt = startedAt;
        self.finishedAt = finishedAt; self.folders = folders; self.messages = messages; self.bytes = bytes;
        self.flagUpdates = flagUpdates
    }
}
