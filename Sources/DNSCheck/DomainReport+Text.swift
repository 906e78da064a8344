extension DomainReport {
    /// The text dns-check prints for the domain: phase, MX records, names, then the advice
    /// ("!" needs doing now, "-" for a later step).
    public var text: String {
        var lines = ["\(domain): \(phase.rawValue)"]
        for record in mx {
            lines.append(
                "  MX \(record.preference) \(record.host)  TTL \(DomainCheck.duration(record.ttl))  "
                    + (record.atCloudMail ? "CloudMail" : "elsewhere"))
        }
        for name in names {
            let path = name.chain.dropFirst().map { " → \($0)" }.joined()
            let addresses = name.addresses.isEmpty ? "" : " (\(name.addresses.joined(separator: ", ")))"
            let verdict: String
            switch name.status {
            case .cloudMail: verdict = "CloudMail"
            case .elsewhere: verdict = "elsewhere, should lead to \(name.expected)"
            case .missing: verdict = "does not exist, should lead to \(name.expected)"
            case .failed: verdict = "DNS failure"
            }
            lines.append("  \(name.name)\(path)\(addresses)  \(verdict)")
        }
        for finding in findings {
            lines.append("  \(finding.severity == .action ? "!" : "-") \(finding.text)")
        }
        return lines.joined(separator: "\n")
    }
}
