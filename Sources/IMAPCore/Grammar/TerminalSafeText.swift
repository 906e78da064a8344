extension String {
    /// The text with control characters written as `\u{1B}`-style escapes, so a hostile server's
    /// greeting, NO text or folder name cannot retitle a window or clear a screen when printed.
    /// `keepingLineBreaks` keeps `\n` and `\t` for multi-line reports.
    public func terminalSafe(keepingLineBreaks: Bool = false) -> String {
        guard unicodeScalars.contains(where: { Self.isUnsafe($0, keepingLineBreaks: keepingLineBreaks) }) else {
            return self
        }
        var out = ""
        out.reserveCapacity(utf8.count + 8)
        for scalar in unicodeScalars {
            if Self.isUnsafe(scalar, keepingLineBreaks: keepingLineBreaks) {
                out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    private static func isUnsafe(_ scalar: Unicode.Scalar, keepingLineBreaks: Bool) -> Bool {
        let value = scalar.value
        if keepingLineBreaks && (value == 0x0A || value == 0x09) { return false }
        // C0 controls, DEL, C1 controls (0x9B is a one-byte CSI), and the bidi overrides.
        return value < 0x20 || value == 0x7F || (0x80...0x9F).contains(value) || (0x202A...0x202E).contains(value)
            || (0x2066...0x2069).contains(value)
    }
}
