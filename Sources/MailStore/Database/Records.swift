import Foundation
import GRDB

/// The account a job pulls from (one row).
public struct JobRecord: Codable, FetchableRecord, PersistableRecord, UTCDateColumns, Sendable {
    public static let databaseTableName = "job"
    public var id: Int64 = 1
    public var sourceHost: String
    public var sourcePort: Int
    public var sourceUser: String
    public var createdAt: Date
    /// The source's personal namespace prefix ("" when it has none; nil before it was known).
    public var sourceNamespacePrefix: String?

    public init(sourceHost: String, sourcePort: Int, sourceUser: String, createdAt: Date = Date()) {
        self.sourceHost = sourceHost; self.sourcePort = sourcePort; self.sourceUser = sourceUser;
        self.createdAt = createdAt
    }
}

/// One run of pull: full or delta; sealed once its archive is written.
public struct PassRecord: Codable, FetchableRecord, TableRecord, UTCDateColumns, Sendable {
    public static let databaseTableName = "pass"
    public enum Kind: String, Codable, Sendable { case full, delta }
    public enum Status: String, Codable, Sendable { case running, sealed }

    public let id: Int64
    public var kind: Kind
    public var status: Status
    public var startedAt: Date
    public var finishedAt: Date?
    public var archiveName: String?
    public var messagesAdded: Int = 0
    public var bytesAdded: Int64 = 0
    public var flagsChanged: Int = 0

}

/// A source folder as last seen, keyed by its wire name. Read from the database, so it always
/// has its row id; a folder seen for the first time is a `FolderRecord.New` until inserted.
public struct FolderRecord: Codable, FetchableRecord, PersistableRecord, Sendable, Equatable {
    public static let databaseTableName = "folder"
    public enum State: String, Codable, Sendable { case active, gone, unselectable }

    public let id: Int64
    public var wireName: Data
    public var name: String
    public var separator: String?
    public var attributes: String
    public var specialUse: String?
    public var uidValidity: Int64?
    public var highestUID: Int64 = 0
    public var highestModSeq: Int64?
    /// UIDNEXT and message count when the folder was last pulled completely (see schema v5).
    public var syncedUIDNext: Int64?
    public var syncedMessages: Int64?
    public var maildirPath: String
    public var state: State
    public var firstSeenPass: Int64
    public var lastSeenPass: Int64

    /// What LIST (or an archive's manifest) says of a folder the store has never seen.
    public struct New: Encodable, PersistableRecord, Sendable {
        public static let databaseTableName = "folder"
        public var wireName: Data
        public var name: String
        public var separator: String?
        public var attributes: String
        public var specialUse: String?
        public var uidValidity: Int64?
        public var maildirPath: String
        public var state: State
        public var firstSeenPass: Int64
        public var lastSeenPass: Int64

        public init(
            wireName: Data, name: String, separator: String?, attributes: String, specialUse: String?,
            maildirPath: String, state: State, pass: Int64, uidValidity: Int64? = nil
        ) {
            self.wireName = wireName; self.name = name; self.separator = separator; self.attributes = attributes
            self.specialUse = specialUse; self.maildirPath = maildirPath; self.state = state
            self.firstSeenPass = pass; self.lastSeenPass = pass; self.uidValidity = uidValidity
        }
    }

    init(id: Int64, _ new: New) {
        self.id = id; wireName = new.wireName; name = new.name; separator = new.separator
        attributes = new.attributes; specialUse = new.specialUse; uidValidity = new.uidValidity
        maildirPath = new.maildirPath; state = new.state; firstSeenPass = new.firstSeenPass;
        lastSeenPass = new.lastSeenPass
    }
}

/// A folder row to write: one already stored (its changes saved), or a new one (inserted).
public enum FolderChange: Sendable {
    case update(FolderRecord)
    case insert(FolderRecord.New)
}

/// A keyword's letter (position) in a folder's `dovecot-keywords` file; stable once given.
public struct FolderKeywordRecord: Codable, FetchableRecord, PersistableRecord, Sendable {
    public static let databaseTableName = "folderKeyword"
    public var folderID: Int64
    public var position: Int
    public var keyword: String
}

/// One stored message: identity, metadata, and where its bytes are.
public struct MessageRecord: Codable, FetchableRecord, MutablePersistableRecord, Sendable {
    public static let databaseTableName = "message"
    public var id: Int64?
    public var folderID: Int64
    public var uidValidity: Int64
    public var uid: Int64
    public var flags: FlagList
    public var internalDate: String
    public var size: Int64
    public var sha256: String
    public var messageID: String?
    public var maildirFile: String
    public var passID: Int64
    public var flagsPassID: Int64
    public var sourceState: SourceState = .present
    /// The pass that found the message deleted at the source.
    public var gonePassID: Int64?
    /// The pass that moved this row to a new UIDVALIDITY/UID, and where it was before.
    public var rekeyedPassID: Int64?
    public var previousUIDValidity: Int64?
    public var previousUID: Int64?

    public init(
        folderID: Int64, uidValidity: Int64, uid: Int64, flags: FlagList, internalDate: String, size: Int64,
        sha256: String, messageID: String?, maildirFile: String, passID: Int64
    ) {
        self.folderID = folderID; self.uidValidity = uidValidity; self.uid = uid; self.flags = flags
        self.internalDate = internalDate; self.size = size; self.sha256 = sha256; self.messageID = messageID
        self.maildirFile = maildirFile; self.passID = passID; self.flagsPassID = passID
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    // Written out rather than derived from Codable: one row per message is read or written on
    // every pass, and Codable's keyed containers cost about 30 µs a row (a 10,000-message pass
    // spent 4 % of its CPU decoding rows for the manifest alone). Same columns, same values.
    public init(row: Row) throws {
        id = row[Columns.id]
        folderID = row[Columns.folderID]
        uidValidity = row[Columns.uidValidity]
        uid = row[Columns.uid]
        flags = FlagList(text: row[Columns.flags])
        internalDate = row[Columns.internalDate]
        size = row[Columns.size]
        sha256 = row[Columns.sha256]
        messageID = row[Columns.messageID]
        maildirFile = row[Columns.maildirFile]
        passID = row[Columns.passID]
        flagsPassID = row[Columns.flagsPassID]
        let state: String = row[Columns.sourceState]
        guard let sourceState = SourceState(rawValue: state) else {
            throw DatabaseError(message: "message \(id ?? 0): unknown sourceState \(state)")
        }
        self.sourceState = sourceState
        gonePassID = row[Columns.gonePassID]
        rekeyedPassID = row[Columns.rekeyedPassID]
        previousUIDValidity = row[Columns.previousUIDValidity]
        previousUID = row[Columns.previousUID]
    }

    public func encode(to container: inout PersistenceContainer) throws {
        container[Columns.id] = id
        container[Columns.folderID] = folderID
        container[Columns.uidValidity] = uidValidity
        container[Columns.uid] = uid
        container[Columns.flags] = flags.text
        container[Columns.internalDate] = internalDate
        container[Columns.size] = size
        container[Columns.sha256] = sha256
        container[Columns.messageID] = messageID
        container[Columns.maildirFile] = maildirFile
        container[Columns.passID] = passID
        container[Columns.flagsPassID] = flagsPassID
        container[Columns.sourceState] = sourceState.rawValue
        container[Columns.gonePassID] = gonePassID
        container[Columns.rekeyedPassID] = rekeyedPassID
        container[Columns.previousUIDValidity] = previousUIDValidity
        container[Columns.previousUID] = previousUID
    }

    /// The table's columns, named as the properties (and so as Codable named them before).
    public enum Columns {
        public static let id = Column(CodingKeys.id)
        public static let folderID = Column(CodingKeys.folderID)
        public static let uidValidity = Column(CodingKeys.uidValidity)
        public static let uid = Column(CodingKeys.uid)
        public static let flags = Column(CodingKeys.flags)
        public static let internalDate = Column(CodingKeys.internalDate)
        public static let size = Column(CodingKeys.size)
        public static let sha256 = Column(CodingKeys.sha256)
        public static let messageID = Column(CodingKeys.messageID)
        public static let maildirFile = Column(CodingKeys.maildirFile)
        public static let passID = Column(CodingKeys.passID)
        public static let flagsPassID = Column(CodingKeys.flagsPassID)
        public static let sourceState = Column(CodingKeys.sourceState)
        public static let gonePassID = Column(CodingKeys.gonePassID)
        public static let rekeyedPassID = Column(CodingKeys.rekeyedPassID)
        public static let previousUIDValidity = Column(CodingKeys.previousUIDValidity)
        public static let previousUID = Column(CodingKeys.previousUID)
    }
}

/// Something skipped or failed during a pass, kept for the report.
public struct PassIssueRecord: Codable, FetchableRecord, MutablePersistableRecord, UTCDateColumns, Sendable {
    public static let databaseTableName = "passIssue"
    public var id: Int64?
    public var passID: Int64
    public var scope: IssueScope
    public var folder: String?
    public var uid: Int64?
    public var reason: String
    public var at: Date
    /// The run that met it (nil for issues recorded before the run ledger existed).
    public var runID: Int64?

    public init(
        passID: Int64, scope: IssueScope, folder: String?, uid: Int64?, reason: String, at: Date = Date(),
        runID: Int64? = nil
    ) {
        self.passID = passID; self.scope = scope; self.folder = folder; self.uid = uid; self.reason = reason;
        self.at = at
        self.runID = runID
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}
