import Foundation

/// Turns commands into wire bytes, choosing atom, quoted string or literal for each string and
/// a synchronizing or non-synchronizing literal from what the server supports.
public struct CommandEncoder: Sendable {
    /// Non-synchronizing literals (LITERAL+ / LITERAL-) the server accepts.
    public enum LiteralSupport: Sendable {
        case synchronizingOnly
        /// RFC 7888 LITERAL-: non-synchronizing up to 4096 bytes.
        case upTo4096
        case any
    }

    public var literalSupport: LiteralSupport
    public var saslInitialResponse: Bool
    /// Message bodies larger than this wait for `+`, so a server can refuse them (TOOBIG) before
    /// we send megabytes it will discard — the trade-off mbsync makes at ~100 KiB.
    public var nonSynchronizingBodyLimit: Int

    public init(
        literalSupport: LiteralSupport = .synchronizingOnly, saslInitialResponse: Bool = false,
        nonSynchronizingBodyLimit: Int = 100 * 1024
    ) {
        self.literalSupport = literalSupport
        self.saslInitialResponse = saslInitialResponse
        self.nonSynchronizingBodyLimit = nonSynchronizingBodyLimit
    }

    /// With LITERAL+ every body goes without waiting: a synchronizing literal drains the whole
    /// APPEND pipeline for one round trip, and a migration pushes mostly what the target takes
    /// (bodies over APPENDLIMIT are not sent at all).
    public init(capabilities: Set<Capability>) {
        let support: LiteralSupport =
            capabilities.contains(.literalPlus)
            ? .any
            : capabilities.contains(.literalMinus) ? .upTo4096 : .synchronizingOnly
        self.init(
            literalSupport: support, saslInitialResponse: capabilities.contains(.saslIR),
            nonSynchronizingBodyLimit: support == .any ? Int.max : 100 * 1024)
    }

    public func encode(_ command: Command, tag: String) -> EncodedCommand {
        var out = EncodedCommand(tag: tag, name: command.name)
        out.append(tag + " ")
        switch command {
        case .capability, .noop, .logout, .namespace, .idle, .close, .unselect:
            out.append(command.name)
        case .startTLS:
            out.append("STARTTLS")
        case .compressDeflate:
            out.append("COMPRESS DEFLATE")
        case .id(let parameters):
            out.append("ID ")
            if parameters.isEmpty {
                out.append("NIL")
            } else {
                out.append("(")
                for (index, parameter) in parameters.enumerated() {
                    if index > 0 { out.append(" ") }
                    appendString(Array(parameter.key.utf8), to: &out, forceQuoted: true)
                    out.append(" ")
                    if let value = parameter.value {
                        appendString(Array(value.utf8), to: &out, forceQuoted: true)
                    } else {
                        out.append("NIL")
                    }
                }
                out.append(")")
            }
        case .login(let user, let password):
            out.append("LOGIN ")
            appendString(Array(user.utf8), to: &out, sensitive: false)
            out.append(" ")
            appendString(Array(password.utf8), to: &out, sensitive: true)
        case .authenticatePlain(let user, let password):
            let credentials = Data([0] + Array(user.utf8) + [0] + Array(password.utf8)).base64EncodedString()
            if saslInitialResponse {
                out.append("AUTHENTICATE PLAIN ")
                out.append(credentials, sensitive: true)
            } else {
                out.append("AUTHENTICATE PLAIN\r\n")
                out.parts.append(.awaitContinuation)
                out.append(credentials, sensitive: true)
            }
        case .enable(let capabilities):
            out.append("ENABLE " + capabilities.map(\.name).joined(separator: " "))
        case .list(let reference, let pattern, let returnSpecialUse, let returnStatus):
            out.append("LIST ")
            appendString(Array(ModifiedUTF7.encode(reference).utf8), to: &out, forceQuoted: true)
            out.append(" ")
            appendString(Array(ModifiedUTF7.encode(pattern).utf8), to: &out, forceQuoted: true)
            let options =
                (returnSpecialUse ? ["SPECIAL-USE"] : [])
                + (returnStatus.isEmpty ? [] : ["STATUS (" + returnStatus.joined(separator: " ") + ")"])
            if !options.isEmpty { out.append(" RETURN (" + options.joined(separator: " ") + ")") }
        case .status(let mailbox, let items):
            out.append("STATUS ")
            appendMailbox(mailbox, to: &out)
            out.append(" (" + items.joined(separator: " ") + ")")
        case .select(let mailbox, let condStore), .examine(let mailbox, let condStore):
            out.append(command.name + " ")
            appendMailbox(mailbox, to: &out)
            if condStore { out.append(" (CONDSTORE)") }
        case .uidSearch(let criteria):
            out.append("UID SEARCH " + criteria)
        case .uidFetch(let set, let items, let changedSince):
            out.append("UID FETCH \(set) (" + items.joined(separator: " ") + ")")
            if let changedSince { out.append(" (CHANGEDSINCE \(changedSince))") }
        case .append(let mailbox, let messages):
            out.append("APPEND ")
            appendMailbox(mailbox, to: &out)
            for (index, message) in messages.enumerated() {
                let flags = message.flags.filter { $0 != .recent }
                if !flags.isEmpty { out.append(" (" + flags.map(\.name).joined(separator: " ") + ")") }
                if let date = message.internalDate { out.append(" \"\(date)\"") }
                out.append(" ")
                appendLiteralHeader(size: message.size, to: &out, limit: nonSynchronizingBodyLimit)
                out.parts.append(.messageBody(index: index, size: message.size))
            }
        case .create(let mailbox):
            out.append("CREATE ")
            appendMailbox(mailbox, to: &out)
        case .delete(let mailbox):
            out.append("DELETE ")
            appendMailbox(mailbox, to: &out)
        case .subscribe(let mailbox):
            out.append("SUBSCRIBE ")
            appendMailbox(mailbox, to: &out)
        case .uidStore(let set, let change, let flags, let silent, let unchangedSince):
            out.append("UID STORE \(set) ")
            if let unchangedSince { out.append("(UNCHANGEDSINCE \(unchangedSince)) ") }
            out.append(
                change.rawValue + (silent ? ".SILENT" : "") + " (" + flags.map(\.name).joined(separator: " ") + ")")
        case .uidExpunge(let set):
            out.append("UID EXPUNGE \(set)")
        }
        out.append("\r\n")
        return out
    }

    private func appendMailbox(_ mailbox: MailboxName, to out: inout EncodedCommand) {
        appendString(mailbox.isInbox ? Array("INBOX".utf8) : mailbox.wireBytes, to: &out)
    }

    /// astring: atom when possible, else quoted when 7-bit and short, else a literal.
    func appendString(
        _ bytes: [UInt8], to out: inout EncodedCommand, sensitive: Bool = false, forceQuoted: Bool = false
    ) {
        if !forceQuoted, !bytes.isEmpty, bytes.allSatisfy({ ByteCursor.isAtomChar($0) || $0 == UInt8(ascii: "]") }) {
            out.append(bytes, sensitive: sensitive)
            return
        }
        let quotable = bytes.count <= 1024 && bytes.allSatisfy { $0 >= 0x20 && $0 < 0x7F }
        if quotable {
            var quoted: [UInt8] = [UInt8(ascii: "\"")]
            for byte in bytes {
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { quoted.append(UInt8(ascii: "\\")) }
                quoted.append(byte)
            }
            quoted.append(UInt8(ascii: "\""))
            out.append(quoted, sensitive: sensitive)
            return
        }
        appendLiteralHeader(size: bytes.count, to: &out, limit: Int.max)
        out.append(bytes, sensitive: sensitive)
    }

    private func appendLiteralHeader(size: Int, to out: inout EncodedCommand, limit: Int) {
        let nonSynchronizing: Bool
        switch literalSupport {
        case .synchronizingOnly: nonSynchronizing = false
        case .upTo4096: nonSynchronizing = size <= min(4096, limit)
        case .any: nonSynchronizing = size <= limit
        }
        if nonSynchronizing {
            out.append("{\(size)+}\r\n")
        } else {
            out.append("{\(size)}\r\n")
            out.parts.append(.awaitContinuation)
        }
    }
}
