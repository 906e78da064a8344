/// Grammar rules for complete responses other than FETCH (RFC 3501 §9, RFC 9051 §9).
extension ByteCursor {
    // response = continue-req / response-data / response-tagged
    mutating func response() throws -> ResponseEvent {
        switch try peek() {
        case UInt8(ascii: "+"):
            index += 1
            if peek(is: UInt8(ascii: " ")) { index += 1 }
            let text = try textToLineEnd()
            try newline()
            return .continuation(text)
        case UInt8(ascii: "*"):
            index += 1
            try space()
            let data = try untaggedData()
            try newline()
            return .untagged(data)
        default:
            let tag = try atom()
            try space()
            let (status, code, text) = try statusCondition()
            try newline()
            return .tagged(TaggedResponse(tag: tag, status: status, code: code, text: text))
        }
    }

    // resp-cond-state = ("OK" / "NO" / "BAD") SP resp-text
    mutating func statusCondition() throws -> (ResponseStatus, ResponseCode?, String) {
        let word = try atom().uppercased()
        guard let status = ResponseStatus(rawValue: word) else {
            throw GrammarFailure.malformed("expected OK, NO or BAD, got \(word)")
        }
        let (code, text) = try responseText()
        return (status, code, text)
    }

    // resp-text = ["[" resp-text-code "]" SP] text ; a missing SP or text is tolerated.
    mutating func responseText() throws -> (ResponseCode?, String) {
        guard peek(is: UInt8(ascii: " ")) else { return (nil, "") }
        index += 1
        var code: ResponseCode?
        if peek(is: UInt8(ascii: "[")) {
            index += 1
            code = try responseCode()
            try expect(UInt8(ascii: "]"))
            if peek(is: UInt8(ascii: " ")) { index += 1 }
        }
        return (code, try textToLineEnd())
    }

    mutating func untaggedData() throws -> UntaggedResponse {
        if try ByteCursor.isDigit(peek()) {
            let number = try int()
            try space()
            let keyword = try atom().uppercased()
            switch keyword {
            case "EXISTS": return .exists(number)
            case "RECENT": return .recent(number)
            case "EXPUNGE": return .expunge(number)
            default: return .other(keyword: "\(number) \(keyword)", text: try restOfLine())
            }
        }
        let keyword = try atom().uppercased()
        switch keyword {
        case "OK", "NO", "BAD", "PREAUTH", "BYE":
            let (code, text) = try responseText()
            return .condition(
                ResponseCondition(kind: ResponseCondition.Kind(rawValue: keyword)!, code: code, text: text))
        case "CAPABILITY":
            return .capability(try capabilityList())
        case "ENABLED":
            return .enabled(try capabilityList())
        case "FLAGS":
            try space()
            return .flags(try flagList())
        case "LIST", "LSUB":
            try space()
            let listing = try mailboxListing()
            return keyword == "LIST" ? .list(listing) : .lsub(listing)
        case "STATUS":
            try space()
            return try statusData()
        case "SEARCH":
            return try searchData()
        case "NAMESPACE":
            try space()
            return .namespace(try namespaceData())
        case "ID":
            try space()
            return .id(try idParameters())
        case "VANISHED":
            try space()
            let earlier = skip("(EARLIER) ")
            let text = try atom(alsoAllowing: [UInt8(ascii: "*")])
            guard let set = UIDSet(text) else { throw GrammarFailure.malformed("bad uid set in VANISHED") }
            return .vanished(earlier: earlier, uids: set)
        default:
            return .other(keyword: keyword, text: try restOfLine())
        }
    }

    mutating func restOfLine() throws -> String {
        if peek(is: UInt8(ascii: " ")) { index += 1 }
        return try textToLineEnd()
    }

    static func isDigit(_ byte: UInt8) -> Bool { byte >= 48 && byte <= 57 }

    // capability-data = "CAPABILITY" *(SP capability)
    mutating func capabilityList() throws -> [Capability] {
        var result: [Capability] = []
        while peek(is: UInt8(ascii: " ")) {
            index += 1
            if try peek() == UInt8(ascii: "\r") || peek() == UInt8(ascii: "\n") || peek() == UInt8(ascii: "]") { break }
            result.append(Capability(try atom()))
        }
        return result
    }

    // flag-list = "(" [flag *(SP flag)] ")" ; flag = "\" atom / atom, plus "\*" in PERMANENTFLAGS
    mutating func flagList() throws -> [Flag] {
        try parenthesizedList { cursor in Flag(try cursor.flag()) }
    }

    mutating func flag() throws -> String {
        if peek(is: UInt8(ascii: "\\")) {
            index += 1
            if peek(is: UInt8(ascii: "*")) { index += 1; return "\\*" }
            return "\\" + (try atom())
        }
        return try atom()
    }

    // mailbox-list = "(" [mbx-list-flags] ")" SP (DQUOTE QUOTED-CHAR DQUOTE / nil) SP mailbox [SP mbox-list-extended]
    mutating func mailboxListing() throws -> MailboxListing {
        let attributes = try parenthesizedList { cursor in try cursor.flag() }
        try space()
        var separator: Character?
        if let bytes = try nstring() {
            guard bytes.count == 1 else { throw GrammarFailure.malformed("hierarchy delimiter must be one character") }
            separator = Character(Unicode.Scalar(bytes[0]))
        }
        try space()
        let name = try mailboxName()
        // mbox-list-extended (CHILDINFO, OLDNAME) carries nothing mailferry needs; skip it.
        if peek(is: UInt8(ascii: " ")) { index += 1; _ = try genericValue() }
        return MailboxListing(attributes: attributes, separator: separator, name: name)
    }

    // mailbox = "INBOX" / astring
    mutating func mailboxName() throws -> MailboxName {
        MailboxName(wire: try astring())
    }

    // status-att-list = status-att-val *(SP status-att-val)
    mutating func statusData() throws -> UntaggedResponse {
        let name = try mailboxName()
        try space()
        var status = MailboxStatus()
        var pairs: [(String, UInt64)] = []
        _ = try parenthesizedList { cursor -> Void in
            let key = try cursor.atom().uppercased()
            try cursor.space()
            pairs.append((key, try cursor.number()))
        }
        for (key, value) in pairs {
            switch key {
            case "MESSAGES": status.messages = Int(value)
            case "RECENT": status.recent = Int(value)
            case "UIDNEXT": status.uidNext = UInt32(truncatingIfNeeded: value)
            case "UIDVALIDITY": status.uidValidity = UInt32(truncatingIfNeeded: value)
            case "UNSEEN": status.unseen = Int(value)
            case "SIZE": status.size = Int64(value)
            case "HIGHESTMODSEQ": status.highestModSeq = value
            default: continue
            }
        }
        return .status(name, status)
    }

    // mailbox-data =/ "SEARCH" *(SP nz-number) [SP "(" "MODSEQ" SP mod-sequence-value ")"]
    mutating func searchData() throws -> UntaggedResponse {
        var uids: [UInt32] = []
        var modSeq: UInt64?
        while peek(is: UInt8(ascii: " ")) {
            index += 1
            if peek(is: UInt8(ascii: "(")) {
                index += 1
                try expect("MODSEQ ")
                modSeq = try number()
                try expect(UInt8(ascii: ")"))
            } else if try ByteCursor.isDigit(peek()) {
                uids.append(try number32())
            }
        }
        return .search(uids, highestModSeq: modSeq)
    }

    // Namespace = nil / "(" 1*Namespace-Descr ")" ; Namespace-Descr = "(" string SP (DQUOTE QUOTED-CHAR DQUOTE / nil) *(extension) ")"
    mutating func namespaceData() throws -> NamespaceResponse {
        func group(_ cursor: inout ByteCursor) throws -> [NamespaceDescription] {
            if cursor.skip("NIL") { return [] }
            return try cursor.parenthesizedList { inner in
                try inner.expect(UInt8(ascii: "("))
                let prefix = try inner.string()
                try inner.space()
                let separator = try inner.nstring().flatMap { $0.first.map { Character(Unicode.Scalar($0)) } }
                while inner.peek(is: UInt8(ascii: " ")) { inner.index += 1; _ = try inner.genericValue() }
                try inner.expect(UInt8(ascii: ")"))
                let decodedPrefix = (try? ModifiedUTF7.decode(prefix)) ?? String(decoding: prefix, as: UTF8.self)
                return NamespaceDescription(prefix: decodedPrefix, separator: separator)
            }
        }
        let personal = try group(&self); try space()
        let other = try group(&self); try space()
        let shared = try group(&self)
        return NamespaceResponse(personal: personal, otherUsers: other, shared: shared)
    }

    // id-params-list = "(" *(string SP nstring) ")" / nil
    mutating func idParameters() throws -> [IDParameter]? {
        if skip("NIL") { return nil }
        var parameters: [IDParameter] = []
        try expect(UInt8(ascii: "("))
        while true {
            while peek(is: UInt8(ascii: " ")) { index += 1 }
            if try peek() == UInt8(ascii: ")") { index += 1; return parameters }
            let key = String(decoding: try string(), as: UTF8.self)
            try space()
            let value = try nstring().map { String(decoding: $0, as: UTF8.self) }
            parameters.append(IDParameter(key: key, value: value))
        }
    }

    /// Any value: NIL, number, atom, string or a parenthesised list of values.
    mutating func genericValue() throws -> IMAPValue {
        let byte = try peek()
        if byte == UInt8(ascii: "(") {
            return .list(try parenthesizedList { try $0.genericValue() })
        }
        if try byte == UInt8(ascii: "\"") || atLiteral() { return .string(try string()) }
        if ByteCursor.isDigit(byte) {
            var probe = self
            if let value = try? probe.number(), !probe.isAtEnd, !ByteCursor.isAtomChar(probe.bytes[probe.index]) {
                self = probe
                return .number(value)
            }
        }
        let atom = try self.atom(alsoAllowing: [
            UInt8(ascii: "\\"), UInt8(ascii: "*"), UInt8(ascii: "["), UInt8(ascii: "]"),
        ])
        return atom.uppercased() == "NIL" ? .nil_ : .atom(atom)
    }
}
