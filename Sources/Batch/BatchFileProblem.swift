/// A fault in a batch file: where (line, column) and why, never the value of a password.
public struct BatchFileProblem: Error, Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    /// The column's name from `docs/batch-csv.md`, nil for a fault of the whole line.
    public var column: String?
    public var reason: String

    public init(line: Int, column: String? = nil, reason: String) {
        self.line = line; self.column = column; self.reason = reason
    }

    public var description: String { "line \(line)" + (column.map { ", \($0)" } ?? "") + ": " + reason }
}
