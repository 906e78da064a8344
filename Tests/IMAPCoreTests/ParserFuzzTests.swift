import Foundation
import IMAPCore
import Testing

/// A seeded mutation fuzzer over the response parser, run for a bounded time: the fixture
/// table and the recorded Dovecot transcripts, mutated (bit flips, bytes inserted, dropped and
/// repeated, splices of two inputs, CRLFs and literal sizes planted, huge or overflowing
/// literal counts), fed in random chunk sizes. Every input must end in events or a typed
/// parse error: never a trap, a hang (events bounded by the input) or a buffer larger than
/// the input. `MAILFERRY_FUZZ_SECONDS` sets the budget (default 10); a failure prints the seed
/// and iteration that reproduce it (`MAILFERRY_FUZZ_SEED`), to be kept as a fixture.
@Suite("ResponseParser fuzzing (seeded mutations)")
struct ParserFuzzTests {
    static var corpus: [[UInt8]] {
        var inputs = ResponseParserFixtures.all.map(\.bytes)
        let transcripts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("fixtures/transcripts")
        for name in (try? FileManager.default.contentsOfDirectory(atPath: transcripts.path)) ?? []
        where name.hasSuffix(".server") {
            if let data = FileManager.default.contents(atPath: transcripts.appendingPathComponent(name).path) {
                inputs.append(Array(data))
            }
        }
        return inputs
    }

    /// Runs `body` on a thread of its own: a CPU-bound loop on the cooperative pool (two threads
    /// here) would starve every other test running meanwhile.
    static func offThePool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { continuation.resume(with: Result { try body() }) }
        }
    }

    @Test("mutated responses end in events or a parse error, within bounds")
    func fuzz() async throws {
        let environment = ProcessInfo.processInfo.environment
        let seconds = environment["MAILFERRY_FUZZ_SECONDS"].flatMap(Double.init) ?? 10
        let seed = environment["MAILFERRY_FUZZ_SEED"].flatMap(UInt64.init) ?? 20_261_201
        let corpus = Self.corpus
        try #require(corpus.count > 50, "the corpus has the fixture table and the transcripts")
        let run = try await Self.offThePool { Self.runFuzz(corpus: corpus, seconds: seconds, seed: seed) }
        if let failure = run.failure { Issue.record("\(failure)") }
        #expect(run.executions > 1000)
        #expect(run.errors > 0 && run.events > 0, "mutations reach both the error paths and the event paths")
        print(
            "parser fuzz: \(run.executions) executions in \(seconds) s, \(run.errors) parse errors, \(run.events) events (seed \(seed))"
        )
    }

    struct FuzzRun: Sendable {
        var executions = 0, errors = 0, events = 0
        var failure: String?
    }

    static func runFuzz(corpus: [[UInt8]], seconds: Double, seed: UInt64) -> FuzzRun {
        var run = FuzzRun()
        var random = SplitMix64(seed: seed)
        let deadline = Date(timeIntervalSinceNow: seconds)
        while Date() < deadline {
            for _ in 0..<100 {
                run.executions += 1
                let input = Self.mutate(corpus, &random)
                switch Self.parse(input, chunking: &random) {
                case .events(let count): run.events += count
                case .parseError: run.errors += 1
                case .failure(let reason):
                    run.failure =
                        "seed \(seed), execution \(run.executions): \(reason); input (\(input.count) bytes): \(String(decoding: input.prefix(300), as: UTF8.self).debugDescription)"
                    return run
                }
            }
        }
        return run
    }

    @Test("random modified UTF-7 mailbox names decode or fall back to their bytes, and valid names round-trip")
    func mailboxNames() async throws {
        let mismatches = try await Self.offThePool { Self.runMailboxNames() }
        #expect(mismatches.isEmpty, "names that did not round-trip: \(mismatches.prefix(5))")
    }

    static func runMailboxNames() -> [String] {
        var mismatches: [String] = []
        var random = SplitMix64(seed: 7)
        let alphabet = Array("&-+,/AZaz09 .\u{1B}".utf8) + [0xC3, 0xA9, 0xFF, 0x00]
        for _ in 0..<200_000 {
            let length = Int(random.next() % 24)
            let wire = (0..<length).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] }
            let name = MailboxName(wire: wire)
            _ = name.description
            _ = name.isInbox
        }
        for _ in 0..<20_000 {
            let scalars = (0..<Int(random.next() % 12)).compactMap { _ in
                Unicode.Scalar(UInt32(32 + random.next() % 0x2FF0))
            }
            let text = String(String.UnicodeScalarView(scalars))
            if MailboxName(wire: MailboxName(text).wireBytes).description != text {
                mismatches.append(text.debugDescription)
            }
        }
        return mismatches
    }

    enum Outcome { case events(Int), parseError, failure(String) }

    static func parse(_ input: [UInt8], chunking random: inout SplitMix64) -> Outcome {
        var parser = ResponseParser()
        var offset = 0, events = 0
        // A response yields at most a few events per input byte; more means the parser loops.
        let eventLimit = input.count * 4 + 64
        while offset < input.count {
            let size = min(input.count - offset, 1 + Int(random.next() % 2048))
            parser.append(input[offset..<offset + size])
            offset += size
            do {
                while try parser.next() != nil {
                    events += 1
                    if events > eventLimit { return .failure("more than \(eventLimit) events: the parser loops") }
                }
            } catch is IMAPParseError {
                return .parseError
            } catch {
                return .failure("an untyped error: \(error)")
            }
            if parser.bufferedByteCount > input.count {
                return .failure("\(parser.bufferedByteCount) bytes buffered from \(input.count) of input")
            }
        }
        return .events(events)
    }

    static func mutate(_ corpus: [[UInt8]], _ random: inout SplitMix64) -> [UInt8] {
        var input = corpus[Int(random.next() % UInt64(corpus.count))]
        for _ in 0..<(1 + Int(random.next() % 4)) {
            let position = input.isEmpty ? 0 : Int(random.next() % UInt64(input.count))
            switch random.next() % 9 {
            case 0 where !input.isEmpty:
                input[position] ^= UInt8(1 << (random.next() % 8))
            case 1:
                input.insert(UInt8(truncatingIfNeeded: random.next()), at: position)
            case 2 where !input.isEmpty:
                input.removeSubrange(position..<min(input.count, position + 1 + Int(random.next() % 16)))
            case 3 where !input.isEmpty:
                let end = min(input.count, position + 1 + Int(random.next() % 64))
                input.insert(contentsOf: input[position..<end], at: position)
            case 4:
                let other = corpus[Int(random.next() % UInt64(corpus.count))]
                let cut = other.isEmpty ? 0 : Int(random.next() % UInt64(other.count))
                input = Array(input[..<position]) + other[cut...]
            case 5:
                input.insert(contentsOf: Array("\r\n".utf8), at: position)
            case 6:
                let sizes = ["{0}", "{1}", "{5}", "{65537}", "{99999999999}", "{18446744073709551616}", "{-1}", "{}"]
                let literal = sizes[Int(random.next() % UInt64(sizes.count))]
                input.insert(contentsOf: Array((literal + "\r\n").utf8), at: position)
            case 7:
                let tokens = ["(", ")", "[", "]", "\"", "\\", " ", "NIL", "*", "+", "~{3}", "&Jjo-", "\u{1B}[2J"]
                input.insert(contentsOf: Array(tokens[Int(random.next() % UInt64(tokens.count))].utf8), at: position)
            default:
                input = Array(input[..<position])
            }
        }
        return input
    }
}

/// A small seeded generator (SplitMix64): the same seed gives the same run.
struct SplitMix64 {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
