/// A personal namespace prefix such as `INBOX.` (RFC 2342). Its `INBOX` part is
/// case-insensitive like INBOX itself; the rest is compared as the server spells it.
public enum NamespacePrefix {
    /// `name` without `prefix`; unchanged when it is not under the prefix (INBOX itself, or
    /// another namespace's folder).
    public static func strip(_ prefix: String, from name: String) -> String {
        guard isUnder(prefix, name), name.count > prefix.count else { return name }
        return String(name.dropFirst(prefix.count))
    }

    /// Whether `name` starts with `prefix` (an empty prefix matches nothing).
    public static func isUnder(_ prefix: String, _ name: String) -> Bool {
        guard !prefix.isEmpty, name.count >= prefix.count else { return false }
        let head = String(name.prefix(prefix.count))
        if head == prefix { return true }
        return prefix.uppercased().hasPrefix("INBOX") && head.uppercased() == prefix.uppercased()
            && head.dropFirst(5) == prefix.dropFirst(5)
    }
}
