import Foundation
import MailStore

/// The outcome of a pull pass, printed as text or JSON.
public struct PullSummary: Codable, Sendable {
    public struct FolderResult: Codable, Sendable {
        public var name: String
        public var newMessages: Int
        public var flagUpdates: Int
        public var goneAtSource: Int
        public var uidValidityChanged: Bool
        public var error: String?
        /// True when STATUS showed the folder as it was after its last complete pull, so it
        /// was not selected at all.
        public var unchanged: Bool?
    }

    public struct Issue: Codable, Sendable {
        public var scope: IssueScope
        public var folder: String?
        public var uid: Int64?
        public var reason: String
    }

    public var job: String
    public var pass: Int64
    public var kind: String
    public var resumed: Bool
    public var archive: String?
    public var messages: Int
    public var bytes: Int64
    public var flagUpdates: Int
    public var seconds: Double
    public var folders: [FolderResult]
    public var foldersGone: [String]
    public var issues: [Issue]
    public var logFile: String

    /// True when something was skipped or failed (exit code 1).
    public var hasFailures: Bool { !issues.isEmpty }
}
