import Foundation
import IMAPCore
import Testing

/// Replays what real servers sent (`fixtures/transcripts/*.server`) through the parser: every
/// byte parses, in any chunking, to the same events.
@Suite("recorded server transcripts replay")
struct TranscriptReplayTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("fixtures/transcripts")

    static var transcripts: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter {
            $0.hasSuffix(".server")
        }.sorted()
    }

    @Test("the fixtures folder has transcripts to replay")
    func present() {
        #expect(Self.transcripts.count >= 2, "\(Self.directory.path)")
    }

    @Test(
        "each transcript parses whole, with one tagged reply per command, the same in every chunking",
        arguments: transcripts)
    func replay(_ name: String) throws {
        let data = Array(try Data(contentsOf: Self.directory.appendingPathComponent(name)))
        let whole = try parse(chunks: [data]).events
        let tagged = whole.compactMap { event -> TaggedResponse? in
            if case .tagged(let response) = event { return response }
            return nil
        }
        // record.py tags its commands A1, A2, … and stops at LOGOUT.
        let text = String(decoding: data, as: UTF8.self)
        let taggedLines = text.components(separatedBy: "\r\n").filter {
            $0.range(of: #"^A\d+ (OK|NO|BAD) "#, options: .regularExpression) != nil
        }
        #expect(tagged.count == taggedLines.count)
        #expect(tagged.map(\.tag) == (1...tagged.count).map { "A\($0)" })
        #expect(tagged.allSatisfy { $0.status == .ok }, "\(tagged.filter { $0.status != .ok })")
        #expect(
            whole.contains {
                if case .untagged(.namespace) = $0 { return true }; return false
            })
        #expect(
            whole.contains {
                if case .bodyStart = $0 { return true }; return false
            }, "BODY[] literals streamed as events")
        for size in [1, 7, 4096] {
            let chunks = stride(from: 0, to: data.count, by: size).map { Array(data[$0..<min($0 + size, data.count)]) }
            #expect(normalized(try parse(chunks: chunks).events) == normalized(whole), "chunks of \(size)")
        }
    }
}
