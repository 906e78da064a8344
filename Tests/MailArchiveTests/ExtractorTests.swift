import Foundation
import MailArchive
import Testing

/// `inspect --extract` must reproduce the tree and never write outside the destination.
@Suite("Extractor")
struct ExtractorTests {
    @Test("extraction reproduces files, empty directories and times", arguments: ArchiveCompression.allCases)
    func extractsSample(compression: ArchiveCompression) throws {
        let directory = try TemporaryDirectory()
        let archive = directory.file("pass" + compression.fileSuffix)
        try SampleMailbox.writeArchive(at: archive, compression: compression, sourceRoot: directory.path)
        let destination = directory.file("restore/here")  // created by the extractor
        let count = try ArchiveExtractor.extract(archive: archive, to: destination)
        #expect(count == SampleMailbox.allFiles.count)
        #expect(SampleMailbox.mismatches(in: destination, checkDirectoryTimes: true) == [])
        let leftovers = try FileManager.default.subpathsOfDirectory(atPath: destination).filter {
            $0.contains(".mailferry-extract-")
        }
        #expect(leftovers == [])
    }

    @Test("existing files are replaced", arguments: [1])
    func replaces(_: Int) throws {
        let directory = try TemporaryDirectory()
        let archive = directory.file("pass.tar")
        try SampleMailbox.writeArchive(at: archive, compression: .none, sourceRoot: directory.path)
        let destination = directory.file("out")
        try FileManager.default.createDirectory(atPath: destination, withIntermediateDirectories: true)
        try Data("stale".utf8).write(to: URL(fileURLWithPath: destination + "/manifest.json"))
        try ArchiveExtractor.extract(archive: archive, to: destination)
        #expect(
            FileManager.default.contents(atPath: destination + "/manifest.json") == Data(SampleMailbox.manifest.bytes))
    }

    @Test(
        "entries escaping the destination are refused",
        arguments: ["../evil", "INBOX/../../evil", "./../evil", "ABSOLUTE"])
    func refusesEscapes(entryPath: String) throws {
        let directory = try TemporaryDirectory()
        let evil = entryPath == "ABSOLUTE" ? directory.file("evil") : entryPath
        let archive = directory.file("evil.tar")
        // The writer accepts such names (tar allows them); refusing them is the extractor's job.
        let writer = try ArchiveWriter(finalPath: archive, compression: .none)
        try writer.addData(entryPath: "INBOX/cur/ok:2,S", bytes: Array("fine".utf8), modificationTime: 0)
        try writer.addData(entryPath: evil, bytes: Array("pwned".utf8), modificationTime: 0)
        try writer.seal()

        let destination = directory.file("a/b")
        let error = #expect(throws: ArchiveError.self) {
            try ArchiveExtractor.extract(archive: archive, to: destination)
        }
        guard case .rejectedEntryPath(let archivePath, let rejected, _)? = error else {
            Issue.record("unexpected \(String(describing: error))")
            return
        }
        #expect(archivePath == archive && rejected == evil)
        #expect(String(describing: error!).contains(evil))
        for escaped in [directory.file("evil"), directory.file("a/evil")] {
            #expect(!FileManager.default.fileExists(atPath: escaped), "\(escaped) was written")
        }
    }

    @Test("a symlink in the destination does not redirect writes")
    func preexistingSymlink() throws {
        let directory = try TemporaryDirectory()
        let archive = directory.file("pass.tar")
        try SampleMailbox.writeArchive(at: archive, compression: .none, sourceRoot: directory.path)
        let outside = directory.file("outside")
        let destination = directory.file("out")
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: destination, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: destination + "/INBOX", withDestinationPath: outside)
        let error = #expect(throws: ArchiveError.self) {
            try ArchiveExtractor.extract(archive: archive, to: destination)
        }
        #expect(String(describing: error).contains("symbolic link"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside) == [])
    }

    @Test("symlink entries are refused")
    func symlinkEntry() throws {
        let directory = try TemporaryDirectory()
        let tree = directory.file("tree")
        try FileManager.default.createDirectory(atPath: tree, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: tree + "/link", withDestinationPath: "/etc")
        let archive = directory.file("links.tar")
        let output = try ExternalCommand.run(["tar", "-cf", archive, "link"], in: tree)
        try #require(output.status == 0, "\(output.standardError)")
        let error = #expect(throws: ArchiveError.self) {
            try ArchiveExtractor.extract(archive: archive, to: directory.file("out"))
        }
        guard case .unsupportedEntryType(_, "link", .symbolicLink)? = error else {
            Issue.record("unexpected \(String(describing: error))")
            return
        }
    }
}
