import IMAPCore

/// Server traits an admin should know before a migration, worded as consequences.
enum ProbeWarnings {
    static func list(
        capabilities: Set<Capability>, encrypted: Bool, listings: [MailboxListing],
        folders: [ProbeReport.Folder], alerts: [String]
    ) -> [String] {
        var warnings: [String] = []
        if !encrypted {
            warnings.append(
                "plaintext: the connection is not encrypted; the password and all mail cross the network in clear")
        }
        if !capabilities.contains(.uidPlus) {
            warnings.append(
                "no UIDPLUS: uploads cannot learn the new UID, so resuming a push must search the target to avoid duplicates"
            )
        }
        if !capabilities.contains(.condStore) {
            warnings.append("no CONDSTORE: delta passes re-read every message's flags instead of only the changed ones")
        }
        if let limit = capabilities.appendLimit {
            warnings.append("APPENDLIMIT=\(limit): the server refuses messages larger than \(limit) bytes")
        }
        if !capabilities.contains(.specialUse) {
            warnings.append("no SPECIAL-USE: Sent/Drafts/Trash/Junk are recognised by name only")
        }
        if !capabilities.contains(.literalPlus) && !capabilities.contains(.literalMinus) {
            warnings.append("no LITERAL+: every upload waits one round trip for the server's go-ahead")
        }
        for listing in listings where listing.name.decoded == nil {
            warnings.append("folder name \"\(listing.name)\" is not valid modified UTF-7; it is kept byte for byte")
        }
        for folder in folders where folder.error != nil {
            warnings.append("folder \"\(folder.name)\" cannot be read: \(folder.error!)")
        }
        warnings += alerts.map { "server alert: \($0)" }
        return warnings
    }
}
