import Foundation
import MailStore
import Testing

/// One folder's `cur/ new/ tmp/` on disk: commit, rename, listing, keywords file, cleanup.
@Suite("MaildirFolder")
struct MaildirFolderTests {
    static let name = MaildirFileName(internalDateSeconds: 1_700_000_000, uid: 5, uidValidity: 77, size: 5, info: "S")

    static func incoming(_ folder: MaildirFolder, _ text: String = "hello") throws -> String {
        let file = try IncomingMessageFile(directory: folder.tmp)
        try Array(text.utf8).withUnsafeBytes { try file.write($0) }
        _ = try file.finish(modificationTime: 1_700_000_000)
        return file.temporaryPath
    }

    @Test("INBOX is the Maildir root; other folders are below it")
    func paths() {
        #expect(MaildirFolder(root: "/m", relativePath: "").path == "/m")
        #expect(MaildirFolder(root: "/m", relativePath: "").cur == "/m/cur")
        let nested = MaildirFolder(root: "/m", relativePath: "Projects/2026")
        #expect(nested.path == "/m/Projects/2026")
        #expect(nested.new == "/m/Projects/2026/new")
        #expect(nested.tmp == "/m/Projects/2026/tmp")
    }

    @Test("create makes cur, new and tmp")
    func create() throws {
        let directory = try TemporaryDirectory()
        let folder = MaildirFolder(root: directory.path, relativePath: "A/B")
        try folder.create()
        #expect(try directory.listing("A/B") == ["cur", "new", "tmp"])
    }

    @Test("commit moves the file from tmp into cur under its final name")
    func commit() throws {
        let directory = try TemporaryDirectory()
        let folder = MaildirFolder(root: directory.path, relativePath: "")
        try folder.create()
        let temporary = try Self.incoming(folder)
        try folder.commit(temporaryPath: temporary, as: Self.name)
        #expect(try directory.listing("tmp").isEmpty)
        #expect(try directory.listing("cur") == [Self.name.fileName])
        #expect(try String(contentsOfFile: folder.cur + "/" + Self.name.fileName, encoding: .utf8) == "hello")
        #expect(folder.storedFiles() == [Self.name])
    }

    @Test("rename changes the info; renaming to the same name is a no-op; a missing file is an error")
    func rename() throws {
        let directory = try TemporaryDirectory()
        let folder = MaildirFolder(root: directory.path, relativePath: "X")
        try folder.create()
        try folder.commit(temporaryPath: try Self.incoming(folder), as: Self.name)
        let flagged = Self.name.withInfo("FS")
        try folder.rename(Self.name, to: flagged)
        try folder.rename(flagged, to: flagged)
        #expect(try directory.listing("X/cur") == [flagged.fileName])
        let error = #expect(throws: StoreError.self) { try folder.rename(Self.name, to: flagged) }
        #expect(error?.ioErrno == ENOENT)
    }

    @Test("storedFiles lists only mailferry's own files; remove deletes one")
    func storedFiles() throws {
        let directory = try TemporaryDirectory()
        let folder = MaildirFolder(root: directory.path, relativePath: "")
        try folder.create()
        try folder.commit(temporaryPath: try Self.incoming(folder), as: Self.name)
        let second = MaildirFileName(internalDateSeconds: 1, uid: 6, uidValidity: 77, size: 1, info: "")
        try folder.commit(temporaryPath: try Self.incoming(folder, "x"), as: second)
        #expect(
            FileManager.default.createFile(atPath: folder.cur + "/1700000000.M1P2.host,S=12,W=13:2,S", contents: Data())
        )
        #expect(Set(folder.storedFiles()) == [Self.name, second])
        folder.remove(second)
        #expect(folder.storedFiles() == [Self.name])
        #expect(try directory.listing("cur").count == 2, "the foreign file is left alone")
    }

    @Test("clearTemporaryFiles empties tmp and nothing else")
    func clearTemporary() throws {
        let directory = try TemporaryDirectory()
        let folder = MaildirFolder(root: directory.path, relativePath: "")
        try folder.create()
        try folder.commit(temporaryPath: try Self.incoming(folder), as: Self.name)
        _ = try Self.incoming(folder)
        _ = try Self.incoming(folder)
        #expect(try directory.listing("tmp").count == 2)
        folder.clearTemporaryFiles()
        #expect(try directory.listing("tmp").isEmpty)
        #expect(try directory.listing("cur") == [Self.name.fileName])
    }

    @Test("dovecot-keywords lists each keyword with its index, replaced atomically")
    func keywords() throws {
        let directory = try TemporaryDirectory()
        let folder = MaildirFolder(root: directory.path, relativePath: "")
        try folder.create()
        try folder.writeKeywords(["$Forwarded", "Junk"])
        try folder.writeKeywords(["$Forwarded", "Junk", "$label1"])
        #expect(
            try String(contentsOfFile: directory.file("dovecot-keywords"), encoding: .utf8)
                == "0 $Forwarded\n1 Junk\n2 $label1\n")
        #expect(try directory.listing() == ["cur", "dovecot-keywords", "new", "tmp"], "no .tmp left behind")
    }

    @Test("an interrupted keywords write is repaired from the recorded keywords")
    func repairKeywords() throws {
        let directory = try TemporaryDirectory()
        let folder = MaildirFolder(root: directory.path, relativePath: "K")
        try folder.create()
        // Killed between recording the keywords and renaming the file into place.
        FileManager.default.createFile(atPath: folder.path + "/dovecot-keywords.tmp", contents: Data("0 $lab".utf8))
        #expect(try folder.repairKeywords(["$label1", "Work"]))
        #expect(!FileManager.default.fileExists(atPath: folder.path + "/dovecot-keywords.tmp"))
        #expect(
            FileManager.default.contents(atPath: folder.path + "/dovecot-keywords") == Data("0 $label1\n1 Work\n".utf8))
        #expect(try !folder.repairKeywords(["$label1", "Work"]), "a file that matches is left alone")
        #expect(
            try !MaildirFolder(root: directory.path, relativePath: "none").repairKeywords([]), "no keywords, no file")
    }

    @Test("syncing works on a real folder and fails on a missing one")
    func sync() throws {
        let directory = try TemporaryDirectory()
        let folder = MaildirFolder(root: directory.path, relativePath: "S")
        try folder.create()
        let file = folder.tmp + "/a"
        FileManager.default.createFile(atPath: file, contents: Data("x".utf8))
        try MaildirFolder.syncFilesBeforeRename([file])
        try folder.syncDirectories()
        let missing = MaildirFolder(root: directory.path, relativePath: "missing")
        #expect(throws: StoreError.self) { try missing.syncDirectories() }
        #expect(throws: StoreError.self) { try MaildirFolder.syncFilesBeforeRename([missing.tmp + "/nothing"]) }
    }
}
