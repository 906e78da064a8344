import DovecotHarness
import Foundation
import IMAPClient
import Testing
import Transport

/// Dovecot sends TLS records of 4 KiB. Without read-ahead OpenSSL reads each with two recv
/// calls (its 5-byte header, then its body) and hands out one record per read; with it, one
/// recv brings many records and one read of the stream hands them all over.
@Suite("TLS read-ahead against a real Dovecot")
struct TLSReadAheadTests {
    @Test("a 3 MB message comes over TLS in far fewer recv calls than it has 4 KiB records")
    func fewReadsPerRecord() async throws {
        try await withDovecot { server in
            let body = Array(
                ("Subject: big\r\n\r\n"
                    + String(
                        repeating: "0123456789abcdef0123456789abcdef012345678901234567890123456789ab\r\n", count: 48_000
                    )).utf8)
            let client = try await server.loggedInClient()
            _ = try await client.append([AppendRequest(bytes: body)], to: .inbox)
            await client.logout()

            let socket = try TCPSocket.connect(
                host: server.host, port: server.imapsPort, timeouts: Timeouts(connect: 5, io: 30))
            let context = try TLSContext(
                TLSConfiguration(verifiesCertificate: true, caFile: server.caFile), host: server.host)
            let stream = try TLSStream(over: socket, host: server.host, context: context)
            _ = try readUntil("* OK", from: stream)
            try stream.write(Array("a LOGIN alice Secret123\r\nb SELECT INBOX\r\n".utf8))
            _ = try readUntil("b OK", from: stream)

            let before = try Self.readSyscallsOfThisThread()
            try stream.write(Array("c FETCH 1 BODY.PEEK[]\r\n".utf8))
            let (received, reads) = try readUntil("c OK", from: stream)
            let syscalls = try Self.readSyscallsOfThisThread() - before
            stream.close()

            #expect(received > body.count)
            let records = body.count / 4096
            // Two recv calls per record without read-ahead; with it about one per 64 KiB buffer.
            #expect(syscalls < records / 4, "\(syscalls) read syscalls for about \(records) records")
            #expect(reads < records / 4, "\(reads) stream reads for about \(records) records")
        }
    }

    /// Reads until a line starting with `marker` has come; the bytes read and the number of reads.
    private func readUntil(_ marker: String, from stream: TLSStream) throws -> (Int, Int) {
        var tail: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        var total = 0, reads = 0
        let needle = Array(("\r\n" + marker).utf8), start = Array(marker.utf8)
        while true {
            let count = try buffer.withUnsafeMutableBytes { try stream.read(into: $0) }
            try #require(count > 0, "the server closed the connection")
            total += count
            reads += 1
            tail = Array((tail + buffer[0..<count]).suffix(4096))
            if tail.starts(with: start) || Self.contains(tail, needle) { return (total, reads) }
        }
    }

    private static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard haystack.count >= needle.count else { return false }
        return (0...(haystack.count - needle.count)).contains {
            haystack[$0..<($0 + needle.count)].elementsEqual(needle)
        }
    }

    /// `syscr` of /proc/thread-self/io: read-like syscalls (read, recv…) this thread made.
    private static func readSyscallsOfThisThread() throws -> Int {
        let text = try String(contentsOfFile: "/proc/thread-self/io", encoding: .utf8)
        let line = try #require(text.split(separator: "\n").first { $0.hasPrefix("syscr:") })
        return try #require(Int(line.dropFirst("syscr:".count).trimmingCharacters(in: .whitespaces)))
    }
}
