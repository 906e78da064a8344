import CSV
import Foundation

/// A batch file (`docs/batch-csv.md`) read strictly: every faulty line is reported at once,
/// with its line number, column and reason, and never a password.
public struct BatchFile: Sendable {
    public static let columns = [
        "source_server", "source_user", "source_password", "source_port", "source_tls", "target_user",
        "target_password", "create_mailbox",
    ]
    /// Column 8 may also be called this in a header.
    static let createColumnAlias = "create_target_mailbox"

    public var rows: [BatchRow]
    public var problems: [BatchFileProblem]

    public var isValid: Bool { problems.isEmpty }

    /// Reads `text` (UTF-8, optional BOM, LF or CRLF line ends, optional header).
    public init(text: String) {
        rows = []
        problems = []
        let body = text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
        var targets: [String: Int] = [:]
        for (index, record) in CSVRecordScanner.records(in: body).enumerated() {
            if let problem = record.quotingProblem {
                problems.append(BatchFileProblem(line: record.line, reason: problem))
                continue
            }
            let fields = Self.fields(of: record.text)
            if index == 0, fields.first?.trimmingCharacters(in: .whitespaces).lowercased() == Self.columns[0] {
                problems += Self.checkHeader(fields, line: record.line)
                continue
            }
            guard fields.count == Self.columns.count else {
                problems.append(
                    BatchFileProblem(
                        line: record.line, reason: "\(fields.count) columns, expected \(Self.columns.count)"))
                continue
            }
            add(fields, line: record.line, targets: &targets)
        }
        if rows.isEmpty && problems.isEmpty {
            problems.append(BatchFileProblem(line: 1, reason: "no mailboxes in the file"))
        }
    }

    /// Rows typed into a form, eight fields each in the file's column order, checked by the same
    /// rules; a problem's `line` is the row's number (from 1).
    public init(fields rowsOfFields: [[String]]) {
        rows = []
        problems = []
        var targets: [String: Int] = [:]
        for (index, fields) in rowsOfFields.enumerated() {
            let padded = Array((fields + Array(repeating: "", count: Self.columns.count)).prefix(Self.columns.count))
            add(padded, line: index + 1, targets: &targets)
        }
        if rows.isEmpty && problems.isEmpty {
            problems.append(BatchFileProblem(line: 1, reason: "no mailboxes given"))
        }
    }

    private mutating func add(_ fields: [String], line: Int, targets: inout [String: Int]) {
        switch Self.row(fields, line: line) {
        case .failure(let found):
            problems += found.list
        case .success(let row):
            let key = row.targetUser.lowercased()
            if let first = targets[key] {
                problems.append(
                    BatchFileProblem(
                        line: row.line, column: "target_user",
                        reason:
                            "\(row.targetUser) is also the target on line \(first); each target mailbox once per batch"
                    ))
                return
            }
            targets[key] = row.line
            rows.append(row)
        }
    }

    private static func fields(of record: Substring) -> [String] {
        (try? CSVReader(string: String(record), hasHeaderRow: false, trimFields: false))?.next() ?? []
    }

    private static func checkHeader(_ fields: [String], line: Int) -> [BatchFileProblem] {
        let names = fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard names.count == columns.count else {
            return [
                BatchFileProblem(line: line, reason: "header has \(names.count) columns, expected \(columns.count)")
            ]
        }
        return zip(names, columns).enumerated().compactMap { position, pair in
            let (name, expected) = pair
            if name == expected || (expected == "create_mailbox" && name == createColumnAlias) { return nil }
            return BatchFileProblem(
                line: line, column: expected,
                reason: "header column \(position + 1) is \"\(name)\", expected \"\(expected)\"")
        }
    }

    private struct Problems: Error { var list: [BatchFileProblem] }

    private static func row(_ fields: [String], line: Int) -> Result<BatchRow, Problems> {
        var problems: [BatchFileProblem] = []
        func required(_ position: Int) -> String {
            let value = fields[position]
            if value.trimmingCharacters(in: .whitespaces).isEmpty {
                problems.append(
                    BatchFileProblem(line: line, column: columns[position], reason: "empty; it is required"))
            }
            return value
        }
        let server = required(0).trimmingCharacters(in: .whitespaces)
        if server.contains(where: { $0.isWhitespace || $0 == "/" }) {
            problems.append(
                BatchFileProblem(
                    line: line, column: columns[0],
                    reason: "\"\(server)\" is not a host name (no scheme, path or spaces)"))
        }
        let user = required(1).trimmingCharacters(in: .whitespaces)
        let password = required(2)
        let tls = boolean(fields[4], default: true, column: 4, line: line, problems: &problems)
        var port = tls ? 993 : 143
        let portText = fields[3].trimmingCharacters(in: .whitespaces)
        if !portText.isEmpty {
            if let number = Int(portText), (1...65535).contains(number) {
                port = number
            } else {
                let why =
                    Int(portText) == nil ? "\"\(portText)\" is not a number" : "\(portText) is out of range (1–65535)"
                problems.append(BatchFileProblem(line: line, column: columns[3], reason: why))
            }
        }
        let targetText = fields[5].trimmingCharacters(in: .whitespaces)
        let targetPassword = fields[6].isEmpty ? password : fields[6]
        if !password.isEmpty || !fields[6].isEmpty, let weak = TargetPasswordPolicy.problem(with: targetPassword) {
            let source = fields[6].isEmpty ? " (defaulted from source_password)" : ""
            problems.append(BatchFileProblem(line: line, column: columns[6], reason: weak + source))
        }
        let create = boolean(fields[7], default: false, column: 7, line: line, problems: &problems)
        guard problems.isEmpty else { return .failure(Problems(list: problems)) }
        return .success(
            BatchRow(
                line: line, sourceServer: server, sourceUser: user, sourcePassword: password, sourcePort: port,
                sourceTLS: tls, targetUser: targetText.isEmpty ? user : targetText, targetPassword: targetPassword,
                createMailbox: create))
    }

    private static func boolean(
        _ text: String, default value: Bool, column: Int, line: Int, problems: inout [BatchFileProblem]
    ) -> Bool {
        switch text.trimmingCharacters(in: .whitespaces).lowercased() {
        case "": return value
        case "true", "1", "yes": return true
        case "false", "0", "no": return false
        default:
            problems.append(
                BatchFileProblem(
                    line: line, column: columns[column], reason: "\"\(text)\" is not true/false (or 1/0, yes/no)"))
            return value
        }
    }
}
