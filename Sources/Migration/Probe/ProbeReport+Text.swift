import Foundation

extension ProbeReport {
    /// The human-readable report.
    public var text: String {
        var lines: [String] = []
        lines.append("Account    \(endpoint)")
        lines.append("Security   \(encrypted ? "TLS" : "PLAINTEXT")")
        lines.append("Greeting   \(greeting)")
        lines.append("Separator  \(separator ?? "(none)")")
        if !namespaces.isEmpty {
            lines.append(
                "Namespaces " + namespaces.map { "\"\($0.prefix)\" (\($0.separator ?? "NIL"))" }.joined(separator: ", ")
            )
        }
        lines.append("Capabilities")
        lines.append(contentsOf: wrap(capabilities.joined(separator: " "), width: 96).map { "  " + $0 })
        lines.append("")
        let nameWidth = max(6, folders.map { $0.name.count }.max() ?? 6)
        lines.append(
            "Folder".padding(toLength: nameWidth, withPad: " ", startingAt: 0) + "  Special    Messages        Size")
        for folder in folders {
            let name = folder.name.padding(toLength: nameWidth, withPad: " ", startingAt: 0)
            let special = (folder.specialUse ?? "").padding(toLength: 9, withPad: " ", startingAt: 0)
            let count = folder.selectable ? (folder.messages.map(String.init) ?? "?") : "-"
            let size = folder.sizeBytes.map(ByteCountText.format) ?? (folder.selectable ? "?" : "-")
            lines.append(
                "\(name)  \(special)  \(count.leftPadded(8))  \(size.leftPadded(10))"
                    + (folder.error.map { "  ! \($0)" } ?? ""))
        }
        lines.append(
            "Total".padding(toLength: nameWidth, withPad: " ", startingAt: 0)
                + "             \(String(totalMessages).leftPadded(8))  \(ByteCountText.format(totalBytes).leftPadded(10))"
        )
        lines.append("")
        lines.append(warnings.isEmpty ? "Warnings   none" : "Warnings")
        lines.append(contentsOf: warnings.map { "  - " + $0 })
        return lines.joined(separator: "\n")
    }

    private func wrap(_ text: String, width: Int) -> [String] {
        var lines: [String] = [], current = ""
        for word in text.split(separator: " ") {
            if !current.isEmpty && current.count + word.count + 1 > width { lines.append(current); current = "" }
            current += (current.isEmpty ? "" : " ") + word
        }
        if !current.isEmpty { lines.append(current) }
        return lines
    }
}

/// Byte counts for people: 1.4 MB, 930 KB, 12 B (decimal units, like `ls -h --si`).
public enum ByteCountText {
    public static func format(_ bytes: Int64) -> String {
        let units = ["B", "KB", "MB", "GB", "TB"]
        var value = Double(bytes), unit = 0
        while value >= 1000 && unit < units.count - 1 { value /= 1000; unit += 1 }
        return unit == 0 ? "\(bytes) B" : String(format: value < 10 ? "%.1f" : "%.0f", value) + " " + units[unit]
    }
}

extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
