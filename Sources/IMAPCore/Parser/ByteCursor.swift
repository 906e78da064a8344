/// Reads IMAP lexical items from bytes without copying them; rules throw `.incomplete` when the
/// input ends early so the caller can retry the whole rule once more bytes have arrived.
struct ByteCursor {
    let bytes: [UInt8]
    var index: Int
    let end: Int
    let literalSizeLimit: Int

    init(_ bytes: [UInt8], from start: Int, to end: Int, literalSizeLimit: Int) {
        self.bytes = bytes; self.index = start; self.end = end; self.literalSizeLimit = literalSizeLimit
    }

    var isAtEnd: Bool { index >= end }

    func peek() throws -> UInt8 {
        guard index < end else { throw GrammarFailure.incomplete }
        return bytes[index]
    }

    func peek(is byte: UInt8) -> Bool { index < end && bytes[index] == byte }

    mutating func advance() throws -> UInt8 {
        let byte = try peek(); index += 1; return byte
    }

    mutating func expect(_ byte: UInt8) throws {
        let found = try peek()
        guard found == byte else { throw GrammarFailure.malformed("expected '\(Character(Unicode.Scalar(byte)))'") }
        index += 1
    }

    /// Case-insensitive keyword such as `FETCH` or ` EXISTS`.
    mutating func expect(_ keyword: String) throws {
        for expected in keyword.utf8 {
            let found = try peek()
            guard lowercase(found) == lowercase(expected) else { throw GrammarFailure.malformed("expected \(keyword)") }
            index += 1
        }
    }

    mutating func skip(_ keyword: String) -> Bool {
        var probe = self
        if (try? probe.expect(keyword)) != nil { self = probe; return true }
        return false
    }

    mutating func space() throws { try expect(UInt8(ascii: " ")) }

    /// CRLF; a bare LF is accepted because some servers send one.
    mutating func newline() throws {
        if try peek() == UInt8(ascii: "\r") { index += 1 }
        try expect(UInt8(ascii: "\n"))
    }

    // ATOM-CHAR = <any CHAR except atom-specials>; atom-specials = "(" / ")" / "{" / SP / CTL / "%" / "*" / DQUOTE / "\" / "]"
    static func isAtomChar(_ byte: UInt8) -> Bool {
        switch byte {
        case 0...0x20, 0x7F...0xFF: return false
        case UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "{"), UInt8(ascii: "%"), UInt8(ascii: "*"),
            UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "]"):
            return false
        default: return true
        }
    }

    /// atom, optionally allowing extra characters (`\` for flags, `]` in astrings, `*` for `\*`).
    mutating func atom(alsoAllowing extra: [UInt8] = []) throws -> String {
        let start = index
        while index < end, ByteCursor.isAtomChar(bytes[index]) || extra.contains(bytes[index]) { index += 1 }
        if index == end { throw GrammarFailure.incomplete }
        guard index > start else { throw GrammarFailure.malformed("expected an atom") }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    /// number = 1*DIGIT (up to 64 bits; callers narrow).
    mutating func number() throws -> UInt64 {
        let start = index
        var value: UInt64 = 0
        while index < end, bytes[index] >= 48, bytes[index] <= 57 {
            let (product, overflowA) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflowB) = product.addingReportingOverflow(UInt64(bytes[index] - 48))
            guard !overflowA, !overflowB else { throw GrammarFailure.malformed("number too large") }
            value = sum; index += 1
        }
        if index == end { throw GrammarFailure.incomplete }
        guard index > start else { throw GrammarFailure.malformed("expected a number") }
        return value
    }

    mutating func number32() throws -> UInt32 {
        let value = try number()
        guard value <= UInt64(UInt32.max) else { throw GrammarFailure.malformed("number exceeds 32 bits") }
        return UInt32(value)
    }

    mutating func int() throws -> Int { Int(try number()) }

    /// quoted = DQUOTE *QUOTED-CHAR DQUOTE, with `\"` and `\\` escapes.
    mutating func quoted() throws -> [UInt8] {
        try expect(UInt8(ascii: "\""))
        var result: [UInt8] = []
        while true {
            let byte = try advance()
            switch byte {
            case UInt8(ascii: "\""): return result
            case UInt8(ascii: "\\"): result.append(try advance())
            case UInt8(ascii: "\r"), UInt8(ascii: "\n"):
                throw GrammarFailure.malformed("line break inside a quoted string")
            default: result.append(byte)
            }
        }
    }

    /// The `{n}` / `~{n}` header of a literal through its CRLF; returns n.
    mutating func literalHeader() throws -> Int {
        if peek(is: UInt8(ascii: "~")) { index += 1 }
        try expect(UInt8(ascii: "{"))
        let size = try number()
        if peek(is: UInt8(ascii: "+")) || peek(is: UInt8(ascii: "-")) { index += 1 }
        try expect(UInt8(ascii: "}"))
        try newline()
        guard size <= UInt64(Int.max) else { throw GrammarFailure.malformed("literal size overflows") }
        return Int(size)
    }

    /// A whole literal, refused above `literalSizeLimit` (message bodies stream instead).
    mutating func literal() throws -> [UInt8] {
        let size = try literalHeader()
        guard size <= literalSizeLimit else {
            throw GrammarFailure.malformed("literal of \(size) bytes exceeds \(literalSizeLimit)")
        }
        guard end - index >= size else { throw GrammarFailure.incomplete }
        defer { index += size }
        return Array(bytes[index..<index + size])
    }

    /// Whether a literal starts here: `{` or `~{`. A lone `~` is an ordinary atom character
    /// (`~peter/mail`), so when it is the last byte received the answer must wait.
    func atLiteral() throws -> Bool {
        let byte = try peek()
        if byte == UInt8(ascii: "{") { return true }
        guard byte == UInt8(ascii: "~") else { return false }
        guard index + 1 < end else { throw GrammarFailure.incomplete }
        return bytes[index + 1] == UInt8(ascii: "{")
    }

    /// string = quoted / literal
    mutating func string() throws -> [UInt8] {
        try peek() == UInt8(ascii: "\"") ? quoted() : literal()
    }

    /// nstring = string / NIL
    mutating func nstring() throws -> [UInt8]? {
        if try peek() == UInt8(ascii: "\"") || atLiteral() { return try string() }
        try expect("NIL")
        return nil
    }

    /// astring = 1*ASTRING-CHAR / string (ASTRING-CHAR adds "]")
    mutating func astring() throws -> [UInt8] {
        if try peek() == UInt8(ascii: "\"") || atLiteral() { return try string() }
        return Array(try atom(alsoAllowing: [UInt8(ascii: "]")]).utf8)
    }

    /// Everything up to (not including) the line break, as text.
    mutating func textToLineEnd() throws -> String {
        let start = index
        while index < end, bytes[index] != UInt8(ascii: "\r"), bytes[index] != UInt8(ascii: "\n") { index += 1 }
        if index == end { throw GrammarFailure.incomplete }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    /// "(" [item *(SP item)] ")" — also tolerates extra spaces some servers emit.
    mutating func parenthesizedList<T>(_ item: (inout ByteCursor) throws -> T) throws -> [T] {
        try expect(UInt8(ascii: "("))
        var items: [T] = []
        while true {
            while peek(is: UInt8(ascii: " ")) { index += 1 }
            if try peek() == UInt8(ascii: ")") { index += 1; return items }
            items.append(try item(&self))
        }
    }

    private func lowercase(_ byte: UInt8) -> UInt8 {
        byte >= 65 && byte <= 90 ? byte + 32 : byte
    }
}
