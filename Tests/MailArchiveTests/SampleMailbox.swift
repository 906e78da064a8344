import Foundation
import MailArchive

/// A small Maildir tree with the names that break naive tar code: Czech and Cyrillic folder
/// names (pax path records, locale conversion) and a path longer than ustar's 100/155 limits.
enum SampleMailbox {
    /// Non-ASCII, over 200 characters, with a last component over ustar's 100-byte name field.
    static let longPath =
        "Archiv/" + String(repeating: "dlouhá složka ", count: 6) + "/cur/"
        + String(repeating: "1700000003.M4P1.example.org", count: 4) + ":2,S"
    /// ASCII with short components, but a directory part over ustar's 155-byte prefix field.
    static let deepPath =
        "Archive/" + String(repeating: "Projects 2024/", count: 12)
        + "cur/1700000005.M6P1.example.org:2,S"

    static let directories: [(path: String, time: Int)] = [
        ("INBOX", 1_700_000_100), ("INBOX/cur", 1_700_000_101), ("INBOX/new", 1_700_000_102),
        ("INBOX/tmp", 1_700_000_103),
        ("Příliš žluťoučký kůň", 1_700_000_104), ("Příliš žluťoučký kůň/cur", 1_700_000_105),
        ("Příliš žluťoučký kůň/new", 1_700_000_106), ("Příliš žluťoučký kůň/tmp", 1_700_000_107),
    ]

    static let files: [SampleFile] = [
        SampleFile(
            entryPath: "INBOX/cur/1700000000.M1P1.example.org:2,S",
            bytes: Array("Subject: hello\r\n\r\nbody\r\n".utf8), modificationTime: 1_600_000_000),
        SampleFile(
            entryPath: "Příliš žluťoučký kůň/cur/1700000001.M2P1.example.org:2,RS",
            bytes: Array("Subject: =?UTF-8?Q?=C4=8Dau?=\r\n\r\nčau\r\n".utf8), modificationTime: 1_600_000_001),
        SampleFile(
            entryPath: "Входящие/new/1700000002.M3P1.example.org:2,",
            bytes: (0...255).map { UInt8($0) } + Array(repeating: 0, count: 70_000),
            modificationTime: 1_600_000_002),
        SampleFile(entryPath: longPath, bytes: Array("long path body\r\n".utf8), modificationTime: 1_600_000_003),
        SampleFile(entryPath: deepPath, bytes: Array("deep path body\r\n".utf8), modificationTime: 1_600_000_005),
        SampleFile(entryPath: "INBOX/cur/1700000004.M5P1.example.org:2,T", bytes: [], modificationTime: 1_600_000_004),
    ]

    static let manifest = SampleFile(
        entryPath: "manifest.json",
        bytes: Array(#"{"folders":[{"name":"Příliš žluťoučký kůň","uidValidity":7}]}"#.utf8),
        modificationTime: 1_700_000_200)

    /// Every regular file entry in archive order: the streamed files, then the manifest.
    static var allFiles: [SampleFile] { files + [manifest] }

    /// Writes the source files below `sourceRoot`, then an archive of them at `archivePath`:
    /// directories, files (streamed from disk), then the manifest from memory.
    static func writeArchive(
        at archivePath: String, compression: ArchiveCompression,
        sourceRoot: String
    ) throws {
        let writer = try ArchiveWriter(finalPath: archivePath, compression: compression)
        for directory in directories {
            try writer.addDirectory(entryPath: directory.path, modificationTime: directory.time)
        }
        for (index, file) in files.enumerated() {
            let source = sourceRoot + "/source-\(index)"
            try Data(file.bytes).write(to: URL(fileURLWithPath: source))
            try writer.addFile(entryPath: file.entryPath, sourcePath: source, modificationTime: file.modificationTime)
        }
        try writer.addData(
            entryPath: manifest.entryPath, bytes: manifest.bytes,
            modificationTime: manifest.modificationTime)
        try writer.seal()
    }

    /// Checks a directory tree produced by extracting the sample archive (by us or by tar).
    static func mismatches(in root: String, checkDirectoryTimes: Bool) -> [String] {
        var problems: [String] = []
        for file in allFiles {
            let path = root + "/" + file.entryPath
            guard let data = FileManager.default.contents(atPath: path) else {
                problems.append("missing \(file.entryPath)")
                continue
            }
            if [UInt8](data) != file.bytes { problems.append("bytes differ: \(file.entryPath)") }
            if modificationTime(path) != file.modificationTime { problems.append("mtime differs: \(file.entryPath)") }
        }
        for directory in directories {
            var isDirectory: ObjCBool = false
            let path = root + "/" + directory.path
            if !FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) || !isDirectory.boolValue {
                problems.append("missing directory \(directory.path)")
            } else if checkDirectoryTimes && modificationTime(path) != directory.time {
                problems.append("mtime differs: \(directory.path)/")
            }
        }
        return problems
    }

    static func modificationTime(_ path: String) -> Int? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return info.st_mtim.tv_sec
    }
}
