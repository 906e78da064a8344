import Foundation
import MailArchive
import Testing

/// A batch log line must say which archive, entry and file failed.
@Suite("Error messages")
struct ErrorMessageTests {
    @Test("a missing archive is named")
    func missingArchive() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("nope.tar.zst")
        let error = #expect(throws: ArchiveError.self) { try ArchiveReader(path: path) }
        let text = String(describing: error!)
        #expect(text.contains(path))
        #expect(text.contains("No such file or directory"), "\(text)")
    }

    @Test("a file that is no archive is named, with libarchive's reason")
    func garbage() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("garbage.tar")
        try Data(repeating: 0x41, count: 4096).write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: ArchiveError.self) {
            try ArchiveReader(path: path).forEachEntry { _, _ in }
        }
        let text = String(describing: error!)
        #expect(text.contains(path))
        #expect(text.contains("Unrecognized archive format"), "\(text)")
    }

    @Test("a truncated archive is named", arguments: ArchiveCompression.allCases)
    func truncated(compression: ArchiveCompression) throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("pass" + compression.fileSuffix)
        try SampleMailbox.writeArchive(at: path, compression: compression, sourceRoot: directory.path)
        let size = try #require(FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        #expect(truncate(path, off_t(size / 2)) == 0)
        let error = #expect(throws: ArchiveError.self) {
            try ArchiveReader(path: path).forEachEntry { _, stream in _ = try stream.readAll(limit: 1 << 20) }
        }
        #expect(String(describing: error!).contains(path))
    }

    @Test("an unwritable destination names the archive and the file")
    func unwritableDestination() throws {
        let directory = try TemporaryDirectory()
        let final = directory.file("missing-dir/pass.tar")
        let error = #expect(throws: ArchiveError.self) { try ArchiveWriter(finalPath: final, compression: .none) }
        let text = String(describing: error!)
        #expect(text.contains(final))
        #expect(text.contains(directory.file("missing-dir/.pass.tar.")))
        #expect(text.contains("No such file or directory"))
    }

    @Test("a missing source names the entry and the source")
    func missingSource() throws {
        let directory = try TemporaryDirectory()
        let writer = try ArchiveWriter(finalPath: directory.file("pass.tar"), compression: .none)
        let source = directory.file("gone.eml")
        let error = #expect(throws: ArchiveError.self) {
            try writer.addFile(entryPath: "Входящие/cur/1:2,S", sourcePath: source, modificationTime: 0)
        }
        let text = String(describing: error!)
        #expect(text.contains(source) && text.contains("Входящие/cur/1:2,S"), "\(text)")
    }

    @Test("an entry over the readAll limit is named")
    func tooLarge() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("pass.tar")
        try SampleMailbox.writeArchive(at: path, compression: .none, sourceRoot: directory.path)
        let error = #expect(throws: ArchiveError.self) {
            try ArchiveReader(path: path).forEachEntry { info, stream in
                if info.path.hasPrefix("Входящие") { _ = try stream.readAll(limit: 1000) }
            }
        }
        let text = String(describing: error!)
        #expect(text.contains("Входящие/new/1700000002.M3P1.example.org:2,") && text.contains(path), "\(text)")
    }

    @Test("empty and NUL-containing entry paths are refused by the writer", arguments: ["", "a\u{0}b"])
    func invalidEntryPaths(entryPath: String) throws {
        let directory = try TemporaryDirectory()
        let writer = try ArchiveWriter(finalPath: directory.file("pass.tar"), compression: .none)
        #expect(throws: ArchiveError.self) {
            try writer.addData(entryPath: entryPath, bytes: [], modificationTime: 0)
        }
        try writer.addData(entryPath: "still-usable", bytes: [], modificationTime: 0)
        try writer.seal()
    }
}
