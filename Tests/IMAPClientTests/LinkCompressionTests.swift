import DovecotHarness
import Foundation
import IMAPClient
import IMAPCore
import Testing

@Suite("COMPRESS=DEFLATE against a real Dovecot (imap_zlib)")
struct LinkCompressionTests {
    static func compressingServer() -> DovecotConfiguration {
        var configuration = DovecotConfiguration(users: [DovecotUser(name: "alice", password: "Secret123")])
        configuration.offersCompression = true
        return configuration
    }

    @Test("--compress-link on: the session is compressed and APPEND, FETCH and STATUS work through it")
    func compressedSession() async throws {
        try await withDovecot(Self.compressingServer()) { server in
            var configuration = server.clientConfiguration(user: "alice")
            configuration.linkCompression = .on
            let client = IMAPClient(configuration: configuration)
            try await client.connect()
            try await client.login(password: "Secret123")
            #expect(await client.capabilities.contains(.compressDeflate))
            #expect(await client.compressionFigures != nil, "COMPRESS DEFLATE was accepted")
            // Text compresses: a 300 KB body of repeated lines costs a fraction of that on the wire.
            let body = String(repeating: "The figures for the quarter are attached.\r\n", count: 7_000)
            let messages = (1...3).map { sampleMessage(subject: "compressed \($0)", body: body) }
            let outcomes = try await client.append(messages.map { AppendRequest(bytes: $0) }, to: .inbox)
            #expect(outcomes.compactMap(\.appendedUID) == [1, 2, 3])
            try await client.select(.inbox)
            let sink = MemorySink()
            try await client.uidFetch([UIDSet([1, 2, 3])], items: IMAPClient.messageItems, into: sink)
            for (uid, expected) in zip([UInt32(1), 2, 3], messages) { #expect(sink.bodies[uid] == expected) }
            let compression = try #require(await client.compressionFigures)
            let sent = messages.reduce(0) { $0 + $1.count }
            #expect(compression.plainBytesWritten > sent)
            #expect(compression.compressedBytesWritten < sent / 10)
            #expect(compression.plainBytesRead > sent, "the FETCH answers came through the decompressor")
            #expect(compression.compressedBytesRead < compression.plainBytesRead / 10)
            await client.logout()
        }
    }

    @Test("auto on loopback and off never compress; on without the capability stays plain and works")
    func notCompressed() async throws {
        try await withDovecot(Self.compressingServer()) { server in
            for mode in [LinkCompression.auto, .off] {
                var configuration = server.clientConfiguration(user: "alice")
                configuration.linkCompression = mode
                let client = IMAPClient(configuration: configuration)
                try await client.connect()
                try await client.login(password: "Secret123")
                #expect(await client.compressionFigures == nil, "\(mode): a loopback login is far below 20 ms")
                _ = try await client.status(.inbox)
                await client.logout()
            }
        }
        try await withDovecot { server in
            var configuration = server.clientConfiguration(user: "alice")
            configuration.linkCompression = .on
            let client = IMAPClient(configuration: configuration)
            try await client.connect()
            try await client.login(password: "Secret123")
            #expect(await !client.capabilities.contains(.compressDeflate))
            #expect(await client.compressionFigures == nil)
            _ = try await client.status(.inbox)
            await client.logout()
        }
    }
}
