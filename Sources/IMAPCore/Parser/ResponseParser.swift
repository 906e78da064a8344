/// Incremental parser for everything an IMAP server sends.
///
/// Feed bytes with `append`, pull events with `next()` until it returns nil ("need more bytes").
/// A failing rule leaves the buffer untouched. FETCH responses stream item by item, and message
/// bodies stream in pieces, so memory stays bounded by the read size, not the message size.
public struct ResponseParser {
    private enum State {
        case idle
        case fetch
        case body(remaining: Int)
    }

    /// Largest literal accepted outside message bodies (mailbox names, ENVELOPE strings …).
    public let literalSizeLimit: Int
    /// Largest non-FETCH response (line plus its literals) kept in memory while it arrives.
    public let responseSizeLimit: Int

    private var buffer: [UInt8] = []
    private var readIndex = 0
    private var state = State.idle
    private var queued: [ResponseEvent] = []
    private var queuedIndex = 0
    /// Where the scan for the end of a non-FETCH response resumes, relative to `readIndex`.
    private var frameScanOffset = 0

    public init(literalSizeLimit: Int = 64 * 1024, responseSizeLimit: Int = 8 * 1024 * 1024) {
        self.literalSizeLimit = literalSizeLimit
        self.responseSizeLimit = responseSizeLimit
    }

    /// Bytes received but not yet turned into events.
    public var bufferedByteCount: Int { buffer.count - readIndex }

    /// True between `fetchStart` and `fetchEnd`.
    public var isInsideFetch: Bool { if case .idle = state { return false } else { return true } }

    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        compact()
        buffer.append(contentsOf: bytes)
    }

    public mutating func append<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        compact()
        buffer.append(contentsOf: bytes)
    }

    /// The next event, or nil when more bytes are needed.
    public mutating func next() throws -> ResponseEvent? {
        if queuedIndex < queued.count {
            defer {
                queuedIndex += 1;
                if queuedIndex == queued.count { queued.removeAll(keepingCapacity: true); queuedIndex = 0 }
            }
            return queued[queuedIndex]
        }
        switch state {
        case .idle: return try nextResponse()
        case .fetch: return try nextFetchItem()
        case .body(let remaining): return nextBodyBytes(remaining: remaining)
        }
    }

    // MARK: - States

    private mutating func nextResponse() throws -> ResponseEvent? {
        guard readIndex < buffer.count else { return nil }
        var probe = cursor()
        do {
            let sequenceNumber = try probe.fetchResponseStart()
            readIndex = probe.index
            frameScanOffset = 0
            state = .fetch
            return .fetchStart(sequenceNumber: sequenceNumber)
        } catch GrammarFailure.incomplete {
            return nil
        } catch {
            // Not a FETCH: fall through to a whole response.
        }
        guard let frameEnd = try endOfResponse() else { return nil }
        var frame = ByteCursor(buffer, from: readIndex, to: frameEnd, literalSizeLimit: literalSizeLimit)
        do {
            let event = try frame.response()
            guard frame.index == frameEnd else { throw GrammarFailure.malformed("unexpected bytes after the response") }
            readIndex = frameEnd
            frameScanOffset = 0
            return event
        } catch GrammarFailure.malformed(let why) {
            throw IMAPParseError(.malformed(why), excerpt: excerpt())
        } catch {
            throw IMAPParseError(.malformed("response ends early"), excerpt: excerpt())
        }
    }

    private mutating func nextFetchItem() throws -> ResponseEvent? {
        var item = cursor()
        do {
            while item.peek(is: UInt8(ascii: " ")) { item.index += 1 }
            if try item.peek() == UInt8(ascii: ")") {
                item.index += 1
                try item.newline()
                readIndex = item.index
                state = .idle
                return .fetchEnd
            }
            let parsed = try item.fetchItem()
            readIndex = item.index
            switch parsed {
            case .attribute(let attribute):
                return .fetchAttribute(attribute)
            case .streamedBody(let section, let size):
                state = .body(remaining: size)
                return .bodyStart(section, size: size)
            case .inlineBody(let section, let bytes):
                queued.append(.bodyBytes(bytes[...]))
                queued.append(.bodyEnd)
                return .bodyStart(section, size: bytes.count)
            }
        } catch GrammarFailure.incomplete {
            if bufferedByteCount > responseSizeLimit {
                throw IMAPParseError(.lineTooLong(limit: responseSizeLimit), excerpt: excerpt())
            }
            return nil
        } catch GrammarFailure.malformed(let why) {
            throw IMAPParseError(.malformed(why), excerpt: excerpt())
        }
    }

    private mutating func nextBodyBytes(remaining: Int) -> ResponseEvent? {
        if remaining == 0 {
            state = .fetch
            return .bodyEnd
        }
        let available = buffer.count - readIndex
        guard available > 0 else { return nil }
        let count = min(available, remaining)
        let slice = buffer[readIndex..<(readIndex + count)]
        readIndex += count
        state = .body(remaining: remaining - count)
        return .bodyBytes(slice)
    }

    // MARK: - Framing

    /// Index just past the final CRLF of the response at `readIndex`, following `{n}` literals;
    /// nil while it is incomplete.
    private mutating func endOfResponse() throws -> Int? {
        var lineStart = readIndex + frameScanOffset
        while lineStart <= buffer.count {
            guard let lineFeed = buffer[lineStart...].firstIndex(of: UInt8(ascii: "\n")) else {
                if buffer.count - readIndex > responseSizeLimit {
                    throw IMAPParseError(.lineTooLong(limit: responseSizeLimit), excerpt: excerpt())
                }
                frameScanOffset = lineStart - readIndex
                return nil
            }
            if lineFeed + 1 - readIndex > responseSizeLimit {
                throw IMAPParseError(.lineTooLong(limit: responseSizeLimit), excerpt: excerpt())
            }
            guard responseMayHoldLiterals(), let literalSize = literalAnnounced(from: lineStart, before: lineFeed)
            else {
                return lineFeed + 1
            }
            guard literalSize <= literalSizeLimit else {
                throw IMAPParseError(.literalTooLarge(size: literalSize, limit: literalSizeLimit), excerpt: excerpt())
            }
            let next = lineFeed + 1 + literalSize
            if next - readIndex > responseSizeLimit {
                throw IMAPParseError(.lineTooLong(limit: responseSizeLimit), excerpt: excerpt())
            }
            lineStart = next
            frameScanOffset = next - readIndex
        }
        return nil
    }

    /// Tagged responses, continuations and `* OK/NO/BAD/BYE/PREAUTH` end in free text, which
    /// may itself end in "{5}" (Dovecot echoes mailbox names there): never a literal.
    private func responseMayHoldLiterals() -> Bool {
        guard buffer[readIndex] == UInt8(ascii: "*"), readIndex + 2 < buffer.count else { return false }
        var end = readIndex + 2
        while end < buffer.count, ByteCursor.isAtomChar(buffer[end]) { end += 1 }
        let keyword = String(decoding: buffer[(readIndex + 2)..<end], as: UTF8.self).uppercased()
        return !["OK", "NO", "BAD", "BYE", "PREAUTH"].contains(keyword)
    }

    /// The size of a `{n}`, `{n+}` or `~{n}` literal that ends the line [lineStart, lineFeed).
    private func literalAnnounced(from lineStart: Int, before lineFeed: Int) -> Int? {
        var index = lineFeed - 1
        if index >= lineStart && buffer[index] == UInt8(ascii: "\r") { index -= 1 }
        guard index > lineStart, buffer[index] == UInt8(ascii: "}") else { return nil }
        index -= 1
        if buffer[index] == UInt8(ascii: "+") || buffer[index] == UInt8(ascii: "-") { index -= 1 }
        var size = 0, multiplier = 1, digits = 0
        while index >= lineStart, ByteCursor.isDigit(buffer[index]), digits < 18 {
            size += Int(buffer[index] - 48) * multiplier
            multiplier *= 10; digits += 1; index -= 1
        }
        guard digits > 0, index >= lineStart, buffer[index] == UInt8(ascii: "{") else { return nil }
        return size
    }

    // MARK: - Buffer

    private func cursor() -> ByteCursor {
        ByteCursor(buffer, from: readIndex, to: buffer.count, literalSizeLimit: literalSizeLimit)
    }

    private mutating func compact() {
        if readIndex == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            readIndex = 0
        } else if readIndex >= 64 * 1024 && readIndex * 2 >= buffer.count {
            buffer.removeSubrange(0..<readIndex)
            readIndex = 0
        }
    }

    private func excerpt() -> String {
        let slice = buffer[readIndex..<min(buffer.count, readIndex + 160)]
        let line = slice.prefix { $0 != UInt8(ascii: "\r") && $0 != UInt8(ascii: "\n") }
        return String(decoding: line, as: UTF8.self)
    }
}
