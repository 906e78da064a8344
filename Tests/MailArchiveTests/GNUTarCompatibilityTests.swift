import Foundation
import MailArchive
import Testing

/// GNU tar is the reference: our archives must be ordinary tar files to it, and its archives
/// must be readable by us (a restore may be handed one).
@Suite("GNU tar compatibility")
struct GNUTarCompatibilityTests {
    /// What `tar -t` prints for the sample archive: directories get a trailing slash.
    static var expectedListing: [String] {
        SampleMailbox.directories.map { $0.path + "/" } + SampleMailbox.allFiles.map(\.entryPath)
    }

    @Test("tar -t lists every entry", arguments: [ArchiveCompression.none, .zstd, .gzip])
    func listing(compression: ArchiveCompression) throws {
        if compression == .zstd {
            // GNU tar delegates to the zstd program; add the `zstd` package to the install script.
            try #require(ExternalCommand.isInstalled("zstd"), "the zstd program is missing (apt-get install zstd)")
        }
        let directory = try TemporaryDirectory()
        let archive = directory.file("pass" + compression.fileSuffix)
        try SampleMailbox.writeArchive(at: archive, compression: compression, sourceRoot: directory.path)
        let options: [String] =
            switch compression {
            case .none: ["-tf"]
            case .gzip: ["-z", "-tf"]
            case .zstd: ["--zstd", "-tf"]
            }
        let output = try ExternalCommand.run(["tar"] + options + [archive])
        #expect(output.status == 0, "\(output.standardError)")
        #expect(output.standardError.isEmpty, "tar warned: \(output.standardError)")
        let listed = output.standardOutput.split(separator: "\n").map(String.init)
        #expect(listed == Self.expectedListing)
    }

    @Test("tar -x of the uncompressed archive yields identical files")
    func gnuExtraction() throws {
        let directory = try TemporaryDirectory()
        let archive = directory.file("pass.tar")
        try SampleMailbox.writeArchive(at: archive, compression: .none, sourceRoot: directory.path)
        let destination = directory.file("out")
        try FileManager.default.createDirectory(atPath: destination, withIntermediateDirectories: true)
        let output = try ExternalCommand.run(["tar", "-xf", archive, "-C", destination])
        #expect(output.status == 0, "\(output.standardError)")
        // Directory times are not compared: GNU tar applies a directory's time as soon as an
        // entry outside it follows, and the sample lists all directories before any file, so
        // later files touch INBOX/cur again. (Writing each directory just before its own files
        // avoids that; our extractor sets directory times at the very end and is checked.)
        #expect(SampleMailbox.mismatches(in: destination, checkDirectoryTimes: false) == [])
    }

    @Test("archives made by GNU tar are readable", arguments: ["-cf", "-czf", "--zstd -cf", "--format=gnu -cf"])
    func readsGNUArchives(createOptions: String) throws {
        if createOptions.contains("zstd") { try #require(ExternalCommand.isInstalled("zstd")) }
        let directory = try TemporaryDirectory()
        let tree = directory.file("tree")
        try FileManager.default.createDirectory(atPath: tree + "/Входящие/cur", withIntermediateDirectories: true)
        try Data("čau\r\n".utf8).write(to: URL(fileURLWithPath: tree + "/Входящие/cur/1:2,S"))
        let archive = directory.file("gnu.tar")
        let output = try ExternalCommand.run(
            ["tar"] + createOptions.split(separator: " ").map(String.init)
                + [archive, "Входящие"], in: tree)
        try #require(output.status == 0, "\(output.standardError)")
        var entries: [String: [UInt8]] = [:]
        try ArchiveReader(path: archive).forEachEntry { info, stream in
            entries[info.path] = try stream.readAll(limit: 4096)
        }
        #expect(entries["Входящие/cur/1:2,S"] == Array("čau\r\n".utf8))
        #expect(entries.keys.sorted() == ["Входящие", "Входящие/cur", "Входящие/cur/1:2,S"])
    }
}
