import Foundation
import MailStore
import Testing

/// A message streamed into `tmp/`: exclusive creation, hash, size, Message-ID, cleanup, errors.
@Suite("IncomingMessageFile")
struct IncomingMessageFileTests {
    static let message = Array(
        "From: a@example.com\r\nMessage-ID: <incoming@example.com>\r\nSubject: hi\r\n\r\nHello.\r\n".utf8)

    static func sha256(_ bytes: [UInt8]) -> String {
        let hasher = SHA256Hasher()
        hasher.update(bytes)
        return hasher.finalizeHex()
    }

    @Test("a new file is created exclusively in the directory, private, under a tmp name")
    func creates() throws {
        let directory = try TemporaryDirectory()
        let file = try IncomingMessageFile(directory: directory.path)
        defer { file.discard() }
        #expect(file.temporaryPath.hasPrefix(directory.path + "/"))
        let name = String(file.temporaryPath.dropFirst(directory.path.count + 1))
        #expect(try directory.listing() == [name])
        #expect(name.wholeMatch(of: /[0-9]+\.P[0-9]+R[0-9]+\.mailferry/) != nil, "\(name)")
        #expect(name.contains(".P\(getpid())R"))
        #expect(MaildirFileName(parsing: name) == nil, "a tmp file must never look like a committed one")
        var info = stat()
        #expect(stat(file.temporaryPath, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o600)
        #expect(info.st_size == 0)
        #expect(file.bytesWritten == 0)
    }

    @Test("two files in one directory never share a name")
    func unique() throws {
        let directory = try TemporaryDirectory()
        let files = try (0..<50).map { _ in try IncomingMessageFile(directory: directory.path) }
        #expect(Set(files.map(\.temporaryPath)).count == 50)
        #expect(try directory.listing().count == 50)
        files.forEach { $0.discard() }
    }

    @Test("hash, size and Message-ID of the bytes written, whatever the chunking", arguments: [1, 5, 4096])
    func finish(chunk: Int) throws {
        let directory = try TemporaryDirectory()
        let file = try IncomingMessageFile(directory: directory.path)
        try feed(Self.message, chunk: chunk) { try file.write($0) }
        #expect(file.bytesWritten == Self.message.count)
        let result = try file.finish(modificationTime: 1_234_567_890)
        #expect(result.sha256 == Self.sha256(Self.message))
        #expect(result.messageID == "<incoming@example.com>")
        let onDisk = try [UInt8](Data(contentsOf: URL(fileURLWithPath: file.temporaryPath)))
        #expect(onDisk == Self.message)
        #expect(try SHA256Hasher.hashFile(atPath: file.temporaryPath).sha256 == result.sha256)
        var info = stat()
        #expect(stat(file.temporaryPath, &info) == 0)
        #expect(info.st_mtim.tv_sec == 1_234_567_890, "the file's mtime is the INTERNALDATE")
    }

    @Test("a message without Message-ID finishes with nil")
    func noMessageID() throws {
        let directory = try TemporaryDirectory()
        let file = try IncomingMessageFile(directory: directory.path)
        try Array("Subject: none\r\n\r\nbody".utf8).withUnsafeBytes { try file.write($0) }
        #expect(try file.finish(modificationTime: 0).messageID == nil)
    }

    @Test("a finished file stays in place after the object is gone (it is committed later)")
    func finishedFileStays() throws {
        let directory = try TemporaryDirectory()
        var path = ""
        do {
            let file = try IncomingMessageFile(directory: directory.path)
            try Self.message.withUnsafeBytes { try file.write($0) }
            _ = try file.finish(modificationTime: 0)
            path = file.temporaryPath
        }
        #expect(FileManager.default.fileExists(atPath: path))
    }

    @Test("discard removes the file, before or after finish", arguments: [false, true])
    func discard(afterFinish: Bool) throws {
        let directory = try TemporaryDirectory()
        let file = try IncomingMessageFile(directory: directory.path)
        try Self.message.withUnsafeBytes { try file.write($0) }
        if afterFinish { _ = try file.finish(modificationTime: 0) }
        file.discard()
        #expect(!FileManager.default.fileExists(atPath: file.temporaryPath))
        #expect(try directory.listing().isEmpty)
        file.discard()  // twice is harmless
    }

    @Test("an unfinished file is removed when the object is dropped")
    func droppedUnfinished() throws {
        let directory = try TemporaryDirectory()
        do {
            let file = try IncomingMessageFile(directory: directory.path)
            try Self.message.withUnsafeBytes { try file.write($0) }
            #expect(try directory.listing().count == 1)
        }
        #expect(try directory.listing().isEmpty)
    }

    @Test("a missing directory is a create error naming the file")
    func missingDirectory() throws {
        let directory = try TemporaryDirectory()
        let missing = directory.file("no/such/tmp")
        do {
            _ = try IncomingMessageFile(directory: missing)
            Issue.record("created a file in a missing directory")
        } catch let error as StoreError {
            guard case .io(let path, let operation, let code) = error else { Issue.record("\(error)"); return }
            #expect(path.hasPrefix(missing + "/"))
            #expect(operation == "create")
            #expect(code == ENOENT)
        }
    }

    @Test("a directory that is a file is a create error")
    func directoryIsAFile() throws {
        let directory = try TemporaryDirectory()
        let file = directory.file("plain")
        #expect(FileManager.default.createFile(atPath: file, contents: Data("x".utf8)))
        let error = #expect(throws: StoreError.self) { try IncomingMessageFile(directory: file) }
        #expect(error?.ioErrno == ENOTDIR)
    }

    @Test("writing after discard fails instead of writing elsewhere")
    func writeAfterDiscard() throws {
        let directory = try TemporaryDirectory()
        let file = try IncomingMessageFile(directory: directory.path)
        file.discard()
        let error = #expect(throws: StoreError.self) { try Self.message.withUnsafeBytes { try file.write($0) } }
        #expect(error?.ioErrno == EBADF)
        #expect(try directory.listing().isEmpty)
    }

    @Test(
        "a full disk is reported as diskFull, naming the file",
        .enabled(if: SmallFileSystem.available, "needs root to mount a small tmpfs"))
    func diskFull() throws {
        let disk = try #require(SmallFileSystem(kilobytes: 64))
        let file = try IncomingMessageFile(directory: disk.path)
        defer { file.discard() }
        let chunk = [UInt8](repeating: UInt8(ascii: "x"), count: 16 * 1024)
        let error = #expect(throws: StoreError.self) {
            for _ in 0..<16 { try chunk.withUnsafeBytes { try file.write($0) } }
        }
        #expect(error == .diskFull(path: file.temporaryPath))
        #expect(file.bytesWritten < 16 * chunk.count)
    }
}
