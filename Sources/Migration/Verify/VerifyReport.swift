/// The result of `verify`: per folder counts and mismatches, every problem listed.
public struct VerifyReport: Codable, Sendable {
    public struct FolderLine: Codable, Sendable {
        public var source: String
        public var target: String
        public var expected = 0
        public var found = 0
        public var missing = 0
        public var flagMismatches = 0
        public var dateMismatches = 0
        public var contentMismatches = 0
        /// Refused by the target during push, recorded with the reason: listed, not a failure.
        public var skipped = 0
        /// On the target but not in the source: reported, not a failure (the target may have had mail).
        public var extra = 0
        /// Of the extras, second copies of a matched message: listed, not a failure.
        public var duplicates = 0
        /// The folder does not exist on the target at all.
        public var targetFolderMissing = false

        public var isEqual: Bool {
            !targetFolderMissing && missing == 0 && flagMismatches == 0 && dateMismatches == 0 && contentMismatches == 0
        }
    }

    public struct Problem: Codable, Sendable {
        public var folder: String
        public var uid: Int64?
        public var messageID: String?
        public var what: String
    }

    public var job: String
    public var against: String
    public var target: String
    public var deep: Bool
    public var folders: [FolderLine]
    public var problems: [Problem]
    public var skipped: [Problem]
    /// Target UIDs holding a second copy of a matched message.
    public var duplicates: [Problem] = []
    /// Folders left out on purpose (`--exclude`), never compared.
    public var excluded: [String] = []

    /// Equal only when something was compared and every folder matched: an empty report is
    /// not proof of anything.
    public var isEqual: Bool { !folders.isEmpty && folders.allSatisfy(\.isEqual) && problems.isEmpty }

    public var text: String {
        var lines = ["Verify of job \(job): \(against) against \(target)\(deep ? " (contents hashed)" : "")"]
        let width = max(6, folders.map(\.source.count).max() ?? 6)
        let targetWidth = max(6, folders.map(\.target.count).max() ?? 6)
        lines.append(
            "Folder".padding(toLength: width, withPad: " ", startingAt: 0) + "  "
                + "Target".padding(toLength: targetWidth, withPad: " ", startingAt: 0)
                + "  Expected  Found  Missing  Flags  Dates  Content  Skipped  Extra  Duplicates  Result")
        for folder in folders {
            lines.append(
                folder.source.padding(toLength: width, withPad: " ", startingAt: 0) + "  "
                    + folder.target.padding(toLength: targetWidth, withPad: " ", startingAt: 0)
                    + [
                        folder.expected, folder.found, folder.missing, folder.flagMismatches, folder.dateMismatches,
                        folder.contentMismatches, folder.skipped, folder.extra, folder.duplicates,
                    ]
                    .enumerated().map { String($0.element).leftPadded([10, 7, 9, 7, 7, 9, 9, 7, 12][$0.offset]) }
                    .joined()
                    + "  " + (folder.isEqual ? "equal" : folder.targetFolderMissing ? "NO FOLDER" : "DIFFERENT"))
        }
        if !excluded.isEmpty { lines.append("Excluded   " + excluded.joined(separator: ", ")) }
        lines.append("")
        lines.append(
            isEqual
                ? "Result     EQUAL" + (skipped.isEmpty ? "" : " apart from \(skipped.count) recorded skip(s)")
                    + (duplicates.isEmpty
                        ? "" : "; the target holds \(duplicates.count) duplicate cop(ies), listed below")
                : "Result     DIFFERENT: \(problems.count) problem(s)")
        lines += problems.prefix(50).map {
            "  - \($0.folder.isEmpty ? "" : $0.folder)\($0.uid.map { " UID \($0)" } ?? "")\($0.messageID.map { " \($0)" } ?? ""): \($0.what)"
        }
        if problems.count > 50 { lines.append("  … \(problems.count - 50) more in --json") }
        if !duplicates.isEmpty {
            lines.append("Duplicates on the target (a second copy of a message found there)")
            lines += duplicates.prefix(50).map {
                "  - \($0.folder) target UID \($0.uid.map(String.init) ?? "?")\($0.messageID.map { " \($0)" } ?? ""): \($0.what)"
            }
            if duplicates.count > 50 { lines.append("  … \(duplicates.count - 50) more in --json") }
        }
        if !skipped.isEmpty {
            lines.append("Skipped (recorded during push)")
            lines += skipped.map { "  - \($0.folder)\($0.uid.map { " UID \($0)" } ?? ""): \($0.what)" }
        }
        return lines.joined(separator: "\n")
    }
}
