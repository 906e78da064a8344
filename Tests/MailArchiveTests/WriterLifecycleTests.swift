import Foundation
import MailArchive
import Testing

/// The archive appears under its final name only when complete, and a failed pass leaves
/// nothing behind.
@Suite("Writer lifecycle")
struct WriterLifecycleTests {
    @Test("no final file before seal, only the final file after")
    func sealPublishes() throws {
        let directory = try TemporaryDirectory()
        let final = directory.file("2026-11-25T10-15-00Z-full.tar.zst")
        let writer = try ArchiveWriter(finalPath: final, compression: .zstd)
        try writer.addData(entryPath: "manifest.json", bytes: Array("{}".utf8), modificationTime: 0)
        #expect(!FileManager.default.fileExists(atPath: final))
        let pending = try directory.listing()
        #expect(pending.count == 1)
        #expect(pending.allSatisfy { $0.hasPrefix(".") && $0.hasSuffix(".partial") }, "\(pending)")
        #expect(writer.temporaryPath.hasPrefix(directory.path + "/."))
        try writer.seal()
        #expect(try directory.listing() == ["2026-11-25T10-15-00Z-full.tar.zst"])
        writer.abandon()  // after seal: keeps the archive
        #expect(FileManager.default.fileExists(atPath: final))
        #expect(try permissions(final) == 0o600)
    }

    @Test("abandon removes the temporary file")
    func abandonCleansUp() throws {
        let directory = try TemporaryDirectory()
        let writer = try ArchiveWriter(finalPath: directory.file("pass.tar"), compression: .none)
        try writer.addDirectory(entryPath: "INBOX/cur", modificationTime: 0)
        writer.abandon()
        writer.abandon()
        #expect(try directory.listing() == [])
        #expect(throws: ArchiveError.self) { try writer.seal() }
    }

    @Test("a writer dropped without seal or abandon leaves nothing")
    func deinitCleansUp() throws {
        let directory = try TemporaryDirectory()
        do {
            let writer = try ArchiveWriter(finalPath: directory.file("pass.tar.gz"), compression: .gzip)
            try writer.addData(entryPath: "a", bytes: [1, 2, 3], modificationTime: 0)
            #expect(try directory.listing().count == 1)
        }
        #expect(try directory.listing() == [])
    }

    @Test("an existing archive is never overwritten")
    func refusesExistingArchive() throws {
        let directory = try TemporaryDirectory()
        let final = directory.file("pass.tar")
        try Data("sealed earlier".utf8).write(to: URL(fileURLWithPath: final))
        let error = #expect(throws: ArchiveError.self) {
            try ArchiveWriter(finalPath: final, compression: .none)
        }
        #expect(String(describing: error).contains(final))
    }

    @Test("the archive is not replaced if it appears while writing")
    func refusesArchiveCreatedMeanwhile() throws {
        let directory = try TemporaryDirectory()
        let final = directory.file("pass.tar")
        let writer = try ArchiveWriter(finalPath: final, compression: .none)
        try writer.addData(entryPath: "a", bytes: [1], modificationTime: 0)
        try Data("other pass".utf8).write(to: URL(fileURLWithPath: final))
        #expect(throws: ArchiveError.self) { try writer.seal() }
        writer.abandon()
        #expect(try directory.listing() == ["pass.tar"])
        #expect(FileManager.default.contents(atPath: final) == Data("other pass".utf8))
    }

    @Test("a source that changes size poisons the writer")
    func sizeChange() throws {
        let directory = try TemporaryDirectory()
        let final = directory.file("pass.tar")
        let writer = try ArchiveWriter(finalPath: final, compression: .none)
        // /proc files report size 0 but have content: indistinguishable from a file that grew.
        let error = #expect(throws: ArchiveError.self) {
            try writer.addFile(entryPath: "status", sourcePath: "/proc/self/status", modificationTime: 0)
        }
        guard case .sourceSizeChanged(_, let entry, let source, let expected, _)? = error else {
            Issue.record("unexpected \(String(describing: error))")
            return
        }
        #expect(entry == "status" && source == "/proc/self/status" && expected == 0)
        let later = #expect(throws: ArchiveError.self) { try writer.seal() }
        #expect(String(describing: later).contains("changed size"))
        writer.abandon()
        #expect(try directory.listing() == [])
    }

    @Test("sources that are not regular files are refused")
    func nonRegularSource() throws {
        let directory = try TemporaryDirectory()
        let writer = try ArchiveWriter(finalPath: directory.file("pass.tar"), compression: .none)
        let error = #expect(throws: ArchiveError.self) {
            try writer.addFile(entryPath: "dir", sourcePath: directory.path, modificationTime: 0)
        }
        #expect(String(describing: error).contains("not a regular file"))
        // Refused before the header, so the archive is still usable.
        try writer.addData(entryPath: "ok", bytes: [1], modificationTime: 0)
        try writer.seal()
    }

    private func permissions(_ path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return try #require(attributes[.posixPermissions] as? Int)
    }
}
