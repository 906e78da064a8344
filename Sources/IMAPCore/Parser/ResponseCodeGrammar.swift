extension ByteCursor {
    // resp-text-code = "ALERT" / "BADCHARSET" [...] / capability-data / "PARSE" / "PERMANENTFLAGS" SP "(" ... ")" /
    //   "READ-ONLY" / "READ-WRITE" / "TRYCREATE" / "UIDNEXT" SP nz-number / "UIDVALIDITY" SP nz-number /
    //   "UNSEEN" SP nz-number / "APPENDUID" SP nz-number SP append-uid / "COPYUID" ... / atom [SP 1*<any TEXT-CHAR except "]">]
    mutating func responseCode() throws -> ResponseCode {
        let name = try atom().uppercased()
        switch name {
        case "ALERT": return .alert
        case "PARSE": return .parse
        case "READ-ONLY": return .readOnly
        case "READ-WRITE": return .readWrite
        case "TRYCREATE": return .tryCreate
        case "NOMODSEQ": return .noModSeq
        case "OVERQUOTA": return .overQuota
        case "TOOBIG": return .tooBig
        case "LIMIT": return .limit
        case "AUTHENTICATIONFAILED": return .authenticationFailed
        case "UNAVAILABLE": return .unavailable
        case "NONEXISTENT": return .nonExistent
        case "ALREADYEXISTS": return .alreadyExists
        case "UIDNEXT": try space(); return .uidNext(try number32())
        case "UIDVALIDITY": try space(); return .uidValidity(try number32())
        case "UNSEEN": try space(); return .unseen(try int())
        case "HIGHESTMODSEQ": try space(); return .highestModSeq(try number())
        case "PERMANENTFLAGS": try space(); return .permanentFlags(try flagList())
        case "CAPABILITY": return .capability(try capabilityList())
        case "APPENDUID":
            try space()
            let validity = try number32()
            try space()
            return .appendUID(uidValidity: validity, uids: try uidSet())
        case "COPYUID":
            try space()
            let validity = try number32()
            try space()
            let source = try uidSet()
            try space()
            return .copyUID(uidValidity: validity, source: source, destination: try uidSet())
        default:
            var text = ""
            if peek(is: UInt8(ascii: " ")) {
                index += 1
                let start = index
                while index < end, bytes[index] != UInt8(ascii: "]"), bytes[index] != UInt8(ascii: "\r"),
                    bytes[index] != UInt8(ascii: "\n")
                { index += 1 }
                if index == end { throw GrammarFailure.incomplete }
                text = String(decoding: bytes[start..<index], as: UTF8.self)
            }
            return .other(name: name, text: text)
        }
    }

    mutating func uidSet() throws -> UIDSet {
        let text = try atom(alsoAllowing: [UInt8(ascii: "*")])
        guard let set = UIDSet(text) else { throw GrammarFailure.malformed("bad uid set \(text)") }
        return set
    }
}
