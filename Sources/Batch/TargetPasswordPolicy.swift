/// CloudMail's rule for mailbox passwords: 8+ characters, a lowercase letter, an uppercase
/// letter and a digit. Checked before anything starts, so no job fails late on it.
public enum TargetPasswordPolicy {
    /// What the password lacks, or nil when it passes. Says nothing of the password itself.
    public static func problem(with password: String) -> String? {
        var missing: [String] = []
        if password.count < 8 { missing.append("at least 8 characters (it has \(password.count))") }
        if !password.contains(where: \.isLowercase) { missing.append("a lowercase letter") }
        if !password.contains(where: \.isUppercase) { missing.append("an uppercase letter") }
        if !password.contains(where: \.isNumber) { missing.append("a digit") }
        return missing.isEmpty ? nil : "too weak: needs " + missing.joined(separator: ", ")
    }
}
