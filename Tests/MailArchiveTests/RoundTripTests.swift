import Foundation
import MailArchive
import Testing

/// What the writer stores, the reader gives back: names, kinds, sizes, times and bytes.
@Suite("Round trip")
struct RoundTripTests {
    @Test("every entry reads back identically", arguments: ArchiveCompression.allCases)
    func roundTrip(compression: ArchiveCompression) throws {
        let directory = try TemporaryDirectory()
        let archive = directory.file("pass" + compression.fileSuffix)
        try SampleMailbox.writeArchive(at: archive, compression: compression, sourceRoot: directory.path)

        var seen: [(ArchiveEntryInfo, [UInt8])] = []
        try ArchiveReader(path: archive).forEachEntry { info, stream in
            seen.append((info, try stream.readAll(limit: 1 << 20)))
        }

        let expectedDirectories = SampleMailbox.directories
        let expectedFiles = SampleMailbox.allFiles
        try #require(seen.count == expectedDirectories.count + expectedFiles.count)
        for (index, directory) in expectedDirectories.enumerated() {
            let (info, bytes) = seen[index]
            #expect(info.path == directory.path)
            #expect(info.isDirectory)
            #expect(info.modificationTime == directory.time)
            #expect(bytes.isEmpty)
        }
        for (index, file) in expectedFiles.enumerated() {
            let (info, bytes) = seen[expectedDirectories.count + index]
            #expect(info.path == file.entryPath)
            #expect(info.kind == .regularFile)
            #expect(info.size == Int64(file.bytes.count))
            #expect(info.modificationTime == file.modificationTime)
            #expect(bytes == file.bytes, "bytes of \(file.entryPath)")
        }
    }

    @Test("the file suffix follows the compression")
    func suffixes() {
        #expect(ArchiveCompression.none.fileSuffix == ".tar")
        #expect(ArchiveCompression.gzip.fileSuffix == ".tar.gz")
        #expect(ArchiveCompression.zstd.fileSuffix == ".tar.zst")
    }

    @Test("compression is detected from the data, not the name")
    func detection() throws {
        let directory = try TemporaryDirectory()
        let archive = directory.file("misleading.tar")
        let writer = try ArchiveWriter(finalPath: archive, compression: .zstd)
        try writer.addData(entryPath: "a.json", bytes: Array("{}".utf8), modificationTime: 0)
        try writer.seal()
        var paths: [String] = []
        try ArchiveReader(path: archive).forEachEntry { info, _ in paths.append(info.path) }
        #expect(paths == ["a.json"])
    }

    @Test("unread data is skipped and a second pass starts over")
    func skippingAndRereading() throws {
        let directory = try TemporaryDirectory()
        let archive = directory.file("pass.tar.gz")
        try SampleMailbox.writeArchive(at: archive, compression: .gzip, sourceRoot: directory.path)
        let reader = try ArchiveReader(path: archive)
        var first: [String] = []
        try reader.forEachEntry { info, _ in first.append(info.path) }
        var second: [String] = []
        var manifest: [UInt8] = []
        try reader.forEachEntry { info, stream in
            second.append(info.path)
            if info.path == "manifest.json" { manifest = try stream.readAll(limit: 4096) }
        }
        #expect(first == second)
        #expect(first.count == SampleMailbox.directories.count + SampleMailbox.allFiles.count)
        #expect(manifest == SampleMailbox.manifest.bytes)
    }

    @Test("an entry stream cannot be used after its callback")
    func expiredStream() throws {
        let directory = try TemporaryDirectory()
        let archive = directory.file("pass.tar")
        try SampleMailbox.writeArchive(at: archive, compression: .none, sourceRoot: directory.path)
        var kept: ArchiveEntryStream?
        try ArchiveReader(path: archive).forEachEntry { info, stream in
            if info.path == "manifest.json" { kept = stream }
        }
        let stream = try #require(kept)
        let error = #expect(throws: ArchiveError.self) { try stream.readAll(limit: 4096) }
        #expect(String(describing: error).contains("manifest.json"))
    }
}
