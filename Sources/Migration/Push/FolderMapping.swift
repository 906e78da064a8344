import Foundation
import IMAPCore

/// Decides where each source folder lands on the target: `--map` first, then the special-use
/// role (the source's attribute, or its well-known name) matched to the target's folder with
/// the same role, then the same path with the hierarchy separator translated. INBOX is INBOX.
///
/// Names are taken relative to each side's personal namespace (RFC 2342): a Courier-style
/// source keeps every folder under `INBOX.` (`INBOX.Sent`, `INBOX.Projects.2024`); that prefix
/// is stripped before roles and paths are decided, and the target's own prefix is added.
public struct FolderMapping: Sendable {
    public struct Rule: Sendable, Hashable {
        public var source: String
        public var target: String
        public init(source: String, target: String) { self.source = source; self.target = target }

        /// Parses `OLD=NEW`.
        public init?(parsing text: String) {
            guard let equals = text.firstIndex(of: "="), equals != text.startIndex,
                text.index(after: equals) != text.endIndex
            else { return nil }
            self.init(source: String(text[..<equals]), target: String(text[text.index(after: equals)...]))
        }
    }

    public var rules: [Rule]
    public var exclude: [String]
    /// Target folders by role (`\Sent` → "Sent Items"), from the target's LIST.
    public var targetRoles: [String: String]
    public var targetSeparator: Character?
    /// The source's personal namespace prefix (e.g. `INBOX.`), stripped from source names.
    public var sourcePrefix: String
    /// The target's personal namespace prefix, put in front of every name but INBOX.
    public var targetPrefix: String

    public init(
        rules: [Rule] = [], exclude: [String] = [], targetRoles: [String: String] = [:], targetSeparator: Character?,
        sourcePrefix: String = "", targetPrefix: String = ""
    ) {
        self.rules = rules; self.exclude = exclude; self.targetRoles = targetRoles;
        self.targetSeparator = targetSeparator
        self.sourcePrefix = sourcePrefix; self.targetPrefix = targetPrefix
    }

    /// Builds the role table from the target's LIST: attributes first, well-known names second
    /// (looked up without the target's namespace prefix).
    public static func roles(from listings: [MailboxListing], prefix: String = "") -> [String: String] {
        var roles: [String: String] = [:]
        for listing in listings {
            if let role = listing.specialUse, roles[role] == nil { roles[role] = listing.name.description }
        }
        for listing in listings where listing.specialUse == nil {
            let name = listing.name.description
            if let role = SpecialUseNames.role(forName: NamespacePrefix.strip(prefix, from: name)), roles[role] == nil {
                roles[role] = name
            }
        }
        return roles
    }

    public enum Decision: Sendable, Equatable {
        case excluded(pattern: String)
        case target(name: String, reason: String)
    }

    /// Where `name` (Unicode, written with `separator`) goes.
    public func decide(name: String, separator: Character?, specialUse: String?) -> Decision {
        let relative = NamespacePrefix.strip(sourcePrefix, from: name)
        if let pattern = exclude.first(where: {
            name.range(of: $0, options: .regularExpression) != nil
                || relative.range(of: $0, options: .regularExpression) != nil
        }) {
            return .excluded(pattern: pattern)
        }
        if let rule = rules.first(where: { $0.source == name || $0.source == relative }) {
            return .target(name: rule.target, reason: "--map")
        }
        if name.uppercased() == "INBOX" { return .target(name: "INBOX", reason: "INBOX") }
        let levels =
            separator.map { sep in relative.split(separator: sep, omittingEmptySubsequences: false).map(String.init) }
            ?? [relative]
        if levels.count == 1, let role = specialUse ?? SpecialUseNames.role(forName: relative),
            let target = targetRoles[role]
        {
            return .target(name: target, reason: "special-use \(role)")
        }
        let path = translate(levels)
        let prefixed = NamespacePrefix.isUnder(targetPrefix, path) ? path : targetPrefix + path
        return .target(
            name: prefixed,
            reason: relative == name ? "same path" : "same path below the namespace prefix \"\(sourcePrefix)\"")
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
