import Foundation
import MailStore

/// A state database in a fresh file, plus helpers to make folders and messages.
final class TestDatabase {
    let directory: TemporaryDirectory
    let database: StateDatabase
    var path: String { database.path }

    init() throws {
        directory = try TemporaryDirectory()
        database = try StateDatabase(path: directory.file("state.sqlite"))
    }

    /// A folder row as pull records it after LIST, seen in `pass`.
    @discardableResult
    func folder(
        _ name: String, pass: Int64, state: FolderRecord.State = .active, separator: String? = "."
    ) throws -> FolderRecord {
        try database.insertFolder(
            FolderRecord.New(
                wireName: Data(name.utf8), name: name, separator: separator, attributes: "\\HasNoChildren",
                specialUse: nil, maildirPath: name == "INBOX" ? "" : name, state: state, pass: pass))
    }

    /// A message row with bytes derived from its UID unless given.
    static func message(
        folder: Int64, uidValidity: Int64 = 100, uid: Int64, pass: Int64, flags: String = "\\Seen",
        size: Int64 = 1000, sha256: String? = nil, messageID: String? = nil
    ) -> MessageRecord {
        let name = MaildirFileName(
            internalDateSeconds: 1_700_000_000, uid: UInt32(uid), uidValidity: UInt32(uidValidity),
            size: Int(size), info: flags.contains("\\Seen") ? "S" : "")
        return MessageRecord(
            folderID: folder, uidValidity: uidValidity, uid: uid, flags: FlagList(text: flags),
            internalDate: "14-Nov-2023 22:13:20 +0000", size: size,
            sha256: sha256 ?? String(repeating: String(uid % 10), count: 64),
            messageID: messageID ?? "<\(uid)@example.com>", maildirFile: name.fileName, passID: pass)
    }
}
