import Foundation
import MailArchive
import TestSupport
import Testing

/// Archives are written past the page cache (O_DIRECT) in 1 MiB pieces where the file system
/// allows it; the tail of any length, the encrypted format and every compression must still
/// come out whole, and the written pages must not stay cached.
@Suite("Writing past the page cache")
struct DirectWriteTests {
    /// Sizes around the 512-byte tar blocks and the 1 MiB staging pieces.
    static let sizes = [0, 1, 511, 512, 4097, (1 << 20) - 3, 1 << 20, (1 << 20) + 5, 3 * (1 << 20) + 1]

    @Test("every byte reads back, whatever the sizes, compression or encryption", arguments: [false, true])
    func roundTrip(encrypted: Bool) throws {
        let directory = try TemporaryDirectory()
        for compression in ArchiveCompression.allCases {
            let path = directory.file("pass-\(encrypted)\(compression.fileSuffix)")
            let key = encrypted ? try ArchiveKey(passphrase: "direct-write test") : nil
            let files = try writeArchive(at: path, in: directory, compression: compression, key: key)
            var read: [String: [UInt8]] = [:]
            try ArchiveReader(path: path, key: key).forEachEntry { info, stream in
                read[info.path] = try stream.readAll(limit: 8 << 20)
            }
            #expect(read.count == files.count, "\(compression)")
            for (entry, bytes) in files {
                #expect(read[entry] == bytes, "\(entry) in \(compression), encrypted: \(encrypted)")
            }
        }
    }

    @Test("an uncompressed archive has exactly its tar blocks, and its pages are not left cached")
    func exactSizeAndUncached() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("pass.tar")
        let writer = try ArchiveWriter(finalPath: path, compression: .none)
        let direct = writer.writesDirect
        #expect(direct == Self.fileSystemTakesDirectWrites(in: directory.path))
        var expected = 0
        for (index, size) in Self.sizes.enumerated() {
            let source = directory.file("source-\(index)")
            FileManager.default.createFile(atPath: source, contents: Data(Self.pattern(size, seed: index)))
            try writer.addFile(entryPath: "m/\(index)", sourcePath: source, modificationTime: 1_700_000_000)
            expected += 512 + (size + 511) / 512 * 512
        }
        try writer.seal()
        expected += 1024  // the end-of-archive blocks
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.size] as? Int) == expected)
        guard direct else { return }
        // Everything but the last, short piece went to the disk without entering the cache.
        let cached = try Self.cachedPages(of: path)
        let pages = (expected + 4095) / 4096
        #expect(cached <= (1 << 20) / 4096 + 1, "\(cached) of \(pages) pages cached")
        #expect(pages > 2 * ((1 << 20) / 4096))
    }

    private func writeArchive(
        at path: String, in directory: TemporaryDirectory, compression: ArchiveCompression, key: ArchiveKey?
    ) throws -> [String: [UInt8]] {
        let writer = try ArchiveWriter(finalPath: path, compression: compression, encryption: key)
        var files: [String: [UInt8]] = [:]
        for (index, size) in Self.sizes.enumerated() {
            let bytes = Self.pattern(size, seed: index)
            let source = directory.file("source-\(index)")
            FileManager.default.createFile(atPath: source, contents: Data(bytes))
            let entry = "Maildir/cur/\(index):2,S"
            try writer.addFile(entryPath: entry, sourcePath: source, modificationTime: 1_700_000_000 + index)
            files[entry] = bytes
        }
        let manifest = Array("{\"messages\": \(Self.sizes.count)}".utf8)
        try writer.addData(entryPath: "manifest.json", bytes: manifest, modificationTime: 1_700_000_000)
        files["manifest.json"] = manifest
        try writer.seal()
        return files
    }

    /// Bytes that differ at every offset and between files, so a misplaced or lost piece shows.
    static func pattern(_ count: Int, seed: Int) -> [UInt8] {
        var state = UInt64(seed) &* 0x9E37_79B9_7F4A_7C15 &+ 1
        return (0..<count).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 56)
        }
    }

    /// Whether this file system takes an aligned O_DIRECT write (as the writer needs).
    static func fileSystemTakesDirectWrites(in directory: String) -> Bool {
        let path = directory + "/probe"
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else { return false }
        defer {
            close(fd)
            unlink(path)
        }
        // O_DIRECT, which Swift's Glibc module does not show.
        #if arch(arm64)
            let directFlag: Int32 = 0o200000
        #else
            let directFlag: Int32 = 0o40000
        #endif
        guard fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | directFlag) == 0 else { return false }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 4096)
        defer { buffer.deallocate() }
        return write(fd, buffer.baseAddress, 4096) == 4096
    }

    /// How many of the file's pages are in the page cache (mincore over a mapping of it).
    static func cachedPages(of path: String) throws -> Int {
        let fd = open(path, O_RDONLY)
        try #require(fd >= 0)
        defer { close(fd) }
        var info = stat()
        try #require(fstat(fd, &info) == 0)
        let length = Int(info.st_size)
        let mapping = mmap(nil, length, PROT_READ, MAP_SHARED, fd, 0)
        try #require(mapping != MAP_FAILED)
        defer { munmap(mapping, length) }
        var vector = [UInt8](repeating: 0, count: (length + 4095) / 4096)
        try #require(mincore(mapping, length, &vector) == 0)
        return vector.filter { $0 & 1 == 1 }.count
    }
}
