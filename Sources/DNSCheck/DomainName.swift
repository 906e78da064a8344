/// What dns-check accepts as a domain: LDH labels (IDNs in their xn-- form), 253 characters at most.
public enum DomainName {
    public static func isValid(_ name: String) -> Bool {
        let name = name.hasSuffix(".") ? String(name.dropLast()) : name
        guard !name.isEmpty, name.count <= 253, name.contains(".") else { return false }
        return name.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            !label.isEmpty && label.count <= 63 && !label.hasPrefix("-") && !label.hasSuffix("-")
                && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        }
    }

    /// The domain of a mailbox address, or nil when it has none.
    public static func of(address: String) -> String? {
        guard let at = address.lastIndex(of: "@") else { return nil }
        let domain = canonicalHost(String(address[address.index(after: at)...]))
        return isValid(domain) ? domain : nil
    }
}
