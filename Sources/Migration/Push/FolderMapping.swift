import Foundation
import IMAPCore

/// Decides where each source folder lands on the target: `--map` first, then the special-use
/// role (the source's attribute, or its well-known name) matched to the target's folder with
/// the same role, then the same path with the hierarchy separator translated. INBOX is INBOX.
public struct FolderMapping: Sendable {
    public struct Rule: Sendable, Hashable {
        public var source: String
        public var target: String
        public init(source: String, target: String) { self.source = source; self.target = target }

        /// Parses `OLD=NEW`.
        public init?(parsing text: String) {
            guard let equals = text.firstIndex(of: "="), equals != text.startIndex, text.index(after: equals) != text.endIndex else { return nil }
            self.init(source: String(text[..<equals]), target: String(text[text.index(after: equals)...]))
        }
    }

    public var rules: [Rule]
    public var exclude: [String]
    /// Target folders by role (`\Sent` → "Sent Items"), from the target's LIST.
    public var targetRoles: [String: String]
    public var targetSeparator: Character?

    public init(rules: [Rule] = [], exclude: [String] = [], targetRoles: [String: String] = [:], targetSeparator: Character?) {
        self.rules = rules; self.exclude = exclude; self.targetRoles = targetRoles; self.targetSeparator = targetSeparator
    }

    /// Builds the role table from the target's LIST: attributes first, well-known names second.
    public static func roles(from listings: [MailboxListing]) -> [String: String] {
        var roles: [String: String] = [:]
        for listing in listings {
            if let role = listing.specialUse, roles[role] == nil { roles[role] = listing.name.description }
        }
        for listing in listings where listing.specialUse == nil {
            let name = listing.name.description
            if let role = SpecialUseNames.role(forName: name), roles[role] == nil { roles[role] = name }
        }
        return roles
    }

    public enum Decision: Sendable, Equatable {
        case excluded(pattern: String)
        case target(name: String, reason: String)
    }

    /// Where `name` (Unicode, written with `separator`) goes.
    public func decide(name: String, separator: Character?, specialUse: String?) -> Decision {
        if let pattern = exclude.first(where: { name.range(of: $0, options: .regularExpression) != nil }) {
            return .excluded(pattern: pattern)
        }
        if let rule = rules.first(where: { $0.source == name }) { return .target(name: rule.target, reason: "--map") }
        if name.uppercased() == "INBOX" { return .target(name: "INBOX", reason: "INBOX") }
        let levels = separator.map { sep in name.split(separator: sep, omittingEmptySubsequences: false).map(String.init) } ?? [name]
        if levels.count == 1, let role = specialUse ?? SpecialUseNames.role(forName: name), let target = targetRoles[role] {
            return .target(name: target, reason: "special-use \(role)")
        }
        return .target(name: translate(levels), reason: "same path")
    }

    /// Joins levels with the target's separator; a level containing that separator gets `_`
    /// instead, so it does not turn into an extra level.
    private func translate(_ levels: [String]) -> String {
        guard let targetSeparator else { return levels.joined(separator: "_") }
        var out = levels.map { $0.replacingOccurrences(of: String(targetSeparator), with: "_") }
        if out.count > 1, out[0].uppercased() == "INBOX" { out[0] = "INBOX" }
        return out.joined(separator: String(targetSeparator))
    }
}
