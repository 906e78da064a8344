import Foundation
import IMAPCore
import Logging

/// One IMAP connection, used synchronously from a single thread: the byte stream, the parser,
/// tags, and the pipelined command loop. `IMAPClient` wraps it for async callers.
final class IMAPConnection {
    let host: String
    private(set) var stream: ByteStream
    private var parser = ResponseParser()
    private var nextTagNumber = 1
    private var readChunk = [UInt8](repeating: 0, count: 64 * 1024)
    /// APPEND bodies are read from their files through this one buffer (not a new one each).
    private lazy var bodyChunk = [UInt8](repeating: 0, count: 64 * 1024)
    private let logger: Logger
    /// Told the size of each APPEND body chunk once it is written.
    var onBodyBytes: (@Sendable (Int) -> Void)?
    /// BYE text remembered so a following close can say why.
    private var byeText: String?
    /// The socket timeout restarts with every byte, so a server dripping one byte a second would
    /// hold a response open forever. Within a response, every `slowWindow` seconds must bring at
    /// least `minimumBytesPerSecond` on average (a 56 kbit/s link brings 7,000).
    private let slowWindow: Double
    static let minimumBytesPerSecond = 64.0
    private var window: (start: Date, bytes: Int)?

    /// Bytes read and written so far, and the time spent with commands in flight: the link's
    /// throughput as this connection sees it, idle time left out.
    private(set) var bytesMoved = 0
    private(set) var busy = Duration.zero
    /// Exchanges so far: each sends its commands, then waits for their answers.
    private(set) var roundTrips = 0

    init(host: String, stream: ByteStream, logger: Logger, slowWindow: Double = 120) {
        self.host = host; self.stream = IMAPErrorStream(stream); self.logger = logger; self.slowWindow = slowWindow
    }

    func nextTag() -> String {
        defer { nextTagNumber += 1 }
        return "A" + String(nextTagNumber)
    }

    /// Replaces the stream after STARTTLS; nothing may be buffered from before the upgrade.
    func upgrade(to newStream: ByteStream, after command: String) throws {
        guard parser.bufferedByteCount == 0 else {
            throw IMAPError.protocolViolation(
                host: host, detail: "data after the \(command) response (possible injection)")
        }
        stream = IMAPErrorStream(newStream)
    }

    /// The next response event, reading from the network as needed.
    func readEvent() throws -> ResponseEvent {
        try readEvent(waiting: true)!
    }

    /// The next response event when it can be had without waiting for the network; nil otherwise.
    private func arrivedEvent() throws -> ResponseEvent? {
        try readEvent(waiting: false)
    }

    private func readEvent(waiting: Bool) throws -> ResponseEvent? {
        while true {
            do {
                if let event = try parser.next() {
                    if case .bodyBytes = event {} else { window = nil }  // a complete piece: the response moves
                    if case .untagged(.condition(let condition)) = event, condition.kind == .bye {
                        byeText = condition.text
                    }
                    traceServer(event)
                    return event
                }
            } catch let error as IMAPParseError {
                throw IMAPError.protocolViolation(host: host, detail: error.description)
            }
            if !waiting && !stream.hasReadableInput { return nil }
            let count = try readChunk.withUnsafeMutableBytes { try stream.read(into: $0) }
            if count == 0 {
                throw IMAPError.connectionClosed(
                    host: host, detail: byeText.map { "server said BYE: \($0)" } ?? "the server closed the connection")
            }
            try checkPace(received: count)
            bytesMoved += count
            readChunk.withUnsafeBytes { parser.append(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
        }
    }

    /// Throws when a response in progress has brought too few bytes over the last window.
    private func checkPace(received count: Int) throws {
        let now = Date()
        var current = window ?? (start: now, bytes: 0)
        current.bytes += count
        let elapsed = now.timeIntervalSince(current.start)
        if elapsed >= slowWindow {
            guard Double(current.bytes) >= Self.minimumBytesPerSecond * elapsed else {
                throw IMAPError.timedOut(
                    host: host,
                    operation:
                        "reading a response (\(current.bytes) bytes in \(Int(elapsed)) s: the server is stalling)")
            }
            current = (start: now, bytes: 0)
        }
        window = current
    }

    /// Sends commands without waiting for each reply (at most `window` in flight), streams
    /// APPEND bodies, and returns the tagged responses in command order. Untagged data and
    /// FETCH events go to `onEvent` as they arrive; each tagged response goes to `onTagged`
    /// with its command's index as it arrives, so a caller keeps what completed before a
    /// broken link.
    func execute(
        _ commands: [(EncodedCommand, [AppendRequest])], window: Int = 64,
        onEvent: (ResponseEvent) throws -> Void,
        onTagged: ((Int, TaggedResponse) -> Void)? = nil
    ) throws -> [TaggedResponse] {
        let started = ContinuousClock.now
        defer { busy += ContinuousClock.now - started }
        roundTrips += 1
        var completed: [String: TaggedResponse] = [:]
        let tags = Set(commands.map { $0.0.tag })
        let indexByTag = onTagged == nil ? [:] : Dictionary(commands.enumerated().map { ($1.0.tag, $0) }) { a, _ in a }
        var inFlight = 0
        func handle(_ event: ResponseEvent) throws {
            if case .tagged(let response) = event {
                guard tags.contains(response.tag), completed[response.tag] == nil else {
                    throw IMAPError.protocolViolation(
                        host: host,
                        detail:
                            "unexpected tagged response \(response.tag) \(response.status.rawValue) \(response.text)")
                }
                completed[response.tag] = response
                inFlight -= 1
                if let onTagged, let index = indexByTag[response.tag] { onTagged(index, response) }
            } else {
                try onEvent(event)
            }
        }
        for (command, bodies) in commands {
            while inFlight >= window { try handle(try readEvent()) }
            // Answers that already came in are taken now, so they are known even if the link
            // breaks before the last command's answer (a poll, no waiting).
            if inFlight > 0, onTagged != nil { while let event = try arrivedEvent() { try handle(event) } }
            inFlight += 1
            try send(command, bodies: bodies, whileWaiting: handle)
        }
        while inFlight > 0 { try handle(try readEvent()) }
        return try commands.map { command, _ in
            guard let response = completed[command.tag] else {
                throw IMAPError.protocolViolation(host: host, detail: "no tagged response for \(command.name)")
            }
            return response
        }
    }

    /// Runs a single command and returns its tagged response.
    func execute(
        _ command: Command, encoder: CommandEncoder, bodies: [AppendRequest] = [],
        onEvent: (ResponseEvent) throws -> Void = { _ in }
    ) throws -> TaggedResponse {
        let encoded = encoder.encode(command, tag: nextTag())
        return try execute([(encoded, bodies)], onEvent: onEvent)[0]
    }

    /// Writes a command that has no literals, then closes the connection.
    func sendAndClose(_ command: EncodedCommand) {
        logger.trace("C: \(command.redactedTrace)")
        for part in command.parts {
            if case .bytes(let bytes, _) = part { try? stream.write(bytes) }
        }
        stream.close()
    }

    private func send(
        _ command: EncodedCommand, bodies: [AppendRequest],
        whileWaiting handle: (ResponseEvent) throws -> Void
    ) throws {
        logger.trace("C: \(command.redactedTrace)")
        for part in command.parts {
            switch part {
            case .bytes(let bytes, _):
                try stream.write(bytes)
                bytesMoved += bytes.count
            case .awaitContinuation:
                // A synchronizing literal: the server answers `+`, or rejects the command outright.
                while true {
                    let event = try readEvent()
                    if case .continuation = event { break }
                    if case .tagged(let response) = event, response.tag == command.tag {
                        try handle(event)
                        return
                    }
                    try handle(event)
                }
            case .messageBody(let index, let size):
                try streamBody(bodies[index], declaredSize: size)
            }
        }
    }

    private func streamBody(_ request: AppendRequest, declaredSize: Int) throws {
        switch request.body {
        case .bytes(let bytes):
            guard bytes.count == declaredSize else {
                throw IMAPError.messageSourceFailed(
                    host: host, path: "(memory)", reason: "size \(bytes.count) differs from declared \(declaredSize)")
            }
            try stream.write(bytes)
            bytesMoved += bytes.count
            onBodyBytes?(bytes.count)
        case .file(let path):
            let descriptor = open(path, O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else {
                throw IMAPError.messageSourceFailed(host: host, path: path, reason: String(cString: strerror(errno)))
            }
            defer { Glibc.close(descriptor) }
            var sent = 0
            while sent < declaredSize {
                let count = bodyChunk.withUnsafeMutableBytes {
                    Glibc.read(descriptor, $0.baseAddress, min($0.count, declaredSize - sent))
                }
                guard count > 0 else {
                    // The literal is half sent: the connection cannot be reused.
                    stream.close()
                    throw IMAPError.messageSourceFailed(
                        host: host, path: path, reason: "file shorter than its recorded size \(declaredSize)")
                }
                try bodyChunk.withUnsafeBytes { try stream.write(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
                sent += count
                bytesMoved += count
                onBodyBytes?(count)
            }
        }
    }

    private func traceServer(_ event: ResponseEvent) {
        guard logger.logLevel <= .trace else { return }
        switch event {
        case .bodyBytes(let bytes): logger.trace("S: [\(bytes.count) bytes]")
        default: logger.trace("S: \(event)")
        }
    }

    func close() { stream.close() }
}
