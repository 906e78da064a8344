import Foundation
import GRDB

/// Records whose `Date` columns are written and read as GRDB's own text
/// (`yyyy-MM-dd HH:mm:ss.SSS`, UTC) but through `UTCTime`: GRDB's defaults go through a
/// `DateFormatter` and a `Calendar`, which map megabytes of ICU tables into every run that
/// touches a row with a date.
public protocol UTCDateColumns: EncodableRecord, FetchableRecord {}

extension UTCDateColumns {
    public static func databaseDateEncodingStrategy(for column: String) -> DatabaseDateEncodingStrategy {
        .custom { UTCTime.database($0) }
    }

    public static func databaseDateDecodingStrategy(for column: String) -> DatabaseDateDecodingStrategy {
        .custom { Date(utcDatabaseValue: $0) }
    }
}

extension Date {
    /// The column text for this date, for SQL arguments: see `UTCDateColumns`.
    public var databaseText: String { UTCTime.database(self) }

    /// Reads a date column as GRDB would, without ICU for the text this store writes; any
    /// other stored form (an older writer's, a number) goes through GRDB's own conversion.
    public init?(utcDatabaseValue value: DatabaseValue) {
        if case .string(let text) = value.storage, let date = UTCTime.parseDatabase(text) {
            self = date
        } else if let date = Date.fromDatabaseValue(value) {
            self = date
        } else {
            return nil
        }
    }
}

extension Row {
    /// The date in `column`, or nil when it is NULL or not a date: see `UTCDateColumns`.
    public func utcDate(_ column: String) -> Date? {
        Date(utcDatabaseValue: self[column] as DatabaseValue)
    }
}
