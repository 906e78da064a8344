import Foundation
import MailArchive
import Testing

/// A 96 MB message must cost no more memory than a small one: both directions stream.
/// RSS is the whole test process's, and other suites run beside this one (CI once saw 21 MB of
/// their growth during a 30 MB entry): so the entry is large and the bound half of it — an
/// entry held in memory would still be far over.
@Suite("Streaming memory")
struct StreamingMemoryTests {
    static let entrySize = 96 * 1024 * 1024
    static let allowedGrowthKiB = 48 * 1024

    /// Serialized so the compressors of the three cases do not add up in one measurement.
    @Test(
        "a 96 MB entry is written and read without growing RSS by half its size", .serialized,
        arguments: ArchiveCompression.allCases)
    func largeEntry(compression: ArchiveCompression) throws {
        let directory = try TemporaryDirectory()
        let source = directory.file("big.eml")
        try writeIncompressibleFile(at: source, size: Self.entrySize)
        let archive = directory.file("big" + compression.fileSuffix)

        let before = try residentKiB()
        var peak = before
        let writer = try ArchiveWriter(finalPath: archive, compression: compression)
        try writer.addFile(entryPath: "INBOX/cur/big:2,S", sourcePath: source, modificationTime: 1_700_000_000)
        peak = max(peak, try residentKiB())
        try writer.seal()

        let original = try #require(FileHandle(forReadingAtPath: source))
        defer { try? original.close() }
        var total = 0
        var pieces = 0
        var equal = true
        try ArchiveReader(path: archive).forEachEntry { info, stream in
            #expect(info.size == Int64(Self.entrySize))
            try stream.read { piece in
                let expected = original.readData(ofLength: piece.count)
                equal =
                    equal && expected.count == piece.count
                    && expected.withUnsafeBytes { memcmp($0.baseAddress!, piece.baseAddress!, piece.count) == 0 }
                total += piece.count
                pieces += 1
                if pieces % 32 == 0 { peak = max(peak, (try? residentKiB()) ?? 0) }
            }
        }
        peak = max(peak, try residentKiB())
        #expect(total == Self.entrySize)
        #expect(equal, "streamed bytes differ from the source")
        #expect(peak - before < Self.allowedGrowthKiB, "RSS grew from \(before) KiB to \(peak) KiB")
    }

    /// VmRSS of this process in KiB.
    private func residentKiB() throws -> Int {
        let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
        let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") })
        return try #require(Int(line.split(separator: " ")[1]))
    }

    /// xorshift bytes, so compression cannot make the test trivially small.
    private func writeIncompressibleFile(at path: String, size: Int) throws {
        #expect(FileManager.default.createFile(atPath: path, contents: nil))
        let handle = try #require(FileHandle(forWritingAtPath: path))
        defer { try? handle.close() }
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        var chunk = [UInt64](repeating: 0, count: 8192)
        var written = 0
        while written < size {
            for index in chunk.indices {
                state ^= state << 13
                state ^= state >> 7
                state ^= state << 17
                chunk[index] = state
            }
            let data = chunk.withUnsafeBytes { Data($0.prefix(size - written)) }
            try handle.write(contentsOf: data)
            written += data.count
        }
    }
}
