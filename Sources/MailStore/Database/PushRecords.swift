import Foundation
import GRDB

/// An account pushed to (a job may be pushed to several).
public struct TargetRecord: Codable, FetchableRecord, TableRecord, Sendable {
    public static let databaseTableName = "target"
    public let id: Int64
    public var host: String
    public var port: Int
    public var user: String
}

/// Where a source folder lands on a target, and that folder's UIDVALIDITY when last used.
public struct TargetFolderRecord: Codable, FetchableRecord, MutablePersistableRecord, Sendable, Equatable {
    public static let databaseTableName = "targetFolder"
    public var id: Int64?
    public var targetID: Int64
    public var sourceFolderID: Int64
    public var name: String
    public var uidValidity: Int64?

    public init(targetID: Int64, sourceFolderID: Int64, name: String) {
        self.targetID = targetID; self.sourceFolderID = sourceFolderID; self.name = name
    }
    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// One message's upload to one target: pending before the APPEND, uploaded (with the UID the
/// target gave) after its tagged OK, or skipped with the target's reason.
public struct UploadRecord: Codable, FetchableRecord, MutablePersistableRecord, UTCDateColumns, Sendable {
    public static let databaseTableName = "upload"
    public enum State: String, Codable, Sendable { case pending, uploaded, skipped }

    public var id: Int64?
    public var messageRowID: Int64
    public var targetID: Int64
    public var state: State
    public var targetFolder: String
    public var targetUIDValidity: Int64?
    public var targetUID: Int64?
    public var flags: TargetFlags
    public var reason: String?
    public var updatedAt: Date
    /// `message.flagsPassID` when these flags were set on the target.
    public var flagsPassID: Int64?

    public init(messageRowID: Int64, targetID: Int64, state: State, targetFolder: String, flags: TargetFlags) {
        self.messageRowID = messageRowID; self.targetID = targetID; self.state = state
        self.targetFolder = targetFolder; self.flags = flags; self.updatedAt = Date()
    }
    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}
