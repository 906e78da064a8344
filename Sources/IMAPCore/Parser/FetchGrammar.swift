/// What one FETCH item turned out to be.
enum FetchItem {
    case attribute(FetchAttribute)
    /// The literal header was consumed; `size` body bytes follow in the input.
    case streamedBody(BodySection, size: Int)
    /// A body sent as a quoted string or NIL (small by nature).
    case inlineBody(BodySection, [UInt8])
}

extension ByteCursor {
    // msg-att = "(" (msg-att-dynamic / msg-att-static) *(SP (msg-att-dynamic / msg-att-static)) ")"
    // Only the start of the response: `* n FETCH (`.
    mutating func fetchResponseStart() throws -> Int {
        try expect(UInt8(ascii: "*"))
        try space()
        let sequenceNumber = try int()
        try space()
        try expect("FETCH (")
        return sequenceNumber
    }

    // msg-att-static = "INTERNALDATE" SP date-time / "RFC822.SIZE" SP number / "UID" SP uniqueid /
    //   "BODY" section ["<" number ">"] SP nstring / "BINARY" section-binary SP (nstring / literal8) / ...
    // msg-att-dynamic = "FLAGS" SP "(" [flag-fetch *(SP flag-fetch)] ")" / "MODSEQ" SP "(" mod-sequence-value ")"
    mutating func fetchItem() throws -> FetchItem {
        let name = try fetchItemName()
        if peek(is: UInt8(ascii: "[")) {
            let section = try bodySection(item: name)
            if name == "BODY" || name == "BINARY" { return try bodyValue(section) }
            // BINARY.SIZE[…] and other sectioned items carry small values.
            return .attribute(.other(name: section.description, value: try genericValue()))
        }
        try space()
        switch name {
        case "RFC822", "RFC822.HEADER", "RFC822.TEXT":
            return try bodyValue(BodySection(item: name, section: "", origin: nil))
        case "UID":
            return .attribute(.uid(try number32()))
        case "FLAGS":
            return .attribute(.flags(try flagList()))
        case "RFC822.SIZE":
            return .attribute(.rfc822Size(try int()))
        case "INTERNALDATE":
            let text = String(decoding: try quoted(), as: UTF8.self)
            guard let date = InternalDate(text) else { throw GrammarFailure.malformed("bad INTERNALDATE \"\(text)\"") }
            return .attribute(.internalDate(date))
        case "MODSEQ":
            try expect(UInt8(ascii: "("))
            let value = try number()
            try expect(UInt8(ascii: ")"))
            return .attribute(.modSeq(value))
        default:
            return .attribute(.other(name: name, value: try genericValue()))
        }
    }

    private mutating func fetchItemName() throws -> String {
        let start = index
        while index < end {
            let byte = bytes[index]
            if byte == UInt8(ascii: "[") || byte == UInt8(ascii: " ") || byte == UInt8(ascii: ")") || byte < 0x21 {
                break
            }
            index += 1
        }
        if index == end { throw GrammarFailure.incomplete }
        guard index > start else { throw GrammarFailure.malformed("expected a FETCH item name") }
        return String(decoding: bytes[start..<index], as: UTF8.self).uppercased()
    }

    // section = "[" [section-spec] "]" ; then optional "<" number ">"
    private mutating func bodySection(item: String) throws -> BodySection {
        try expect(UInt8(ascii: "["))
        let start = index
        var depth = 0
        while true {
            let byte = try advance()
            if byte == UInt8(ascii: "(") { depth += 1 }
            if byte == UInt8(ascii: ")") { depth -= 1 }
            if byte == UInt8(ascii: "]") && depth == 0 { break }
            if byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\n") {
                throw GrammarFailure.malformed("line break inside a section")
            }
        }
        let section = String(decoding: bytes[start..<(index - 1)], as: UTF8.self)
        var origin: Int?
        if peek(is: UInt8(ascii: "<")) {
            index += 1
            origin = try int()
            try expect(UInt8(ascii: ">"))
        }
        try space()
        return BodySection(item: item, section: section, origin: origin)
    }

    private mutating func bodyValue(_ section: BodySection) throws -> FetchItem {
        if try atLiteral() { return .streamedBody(section, size: try literalHeader()) }
        return .inlineBody(section, try nstring() ?? [])
    }
}
