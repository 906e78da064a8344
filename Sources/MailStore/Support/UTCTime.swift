import Foundation

/// UTC timestamps formatted and parsed by hand: Foundation's date formatters load ICU's tables
/// (megabytes of resident memory) just to print `2026-11-25T10:15:00Z`.
public enum UTCTime {
    /// `2026-11-25T10-15-00Z`, safe in file names.
    public static func fileName(_ date: Date) -> String { format(date, timeSeparator: "-", fraction: false) }

    /// ISO 8601 with milliseconds: `2026-11-25T10:15:00.123Z`.
    public static func iso8601(_ date: Date, fraction: Bool = false) -> String {
        format(date, timeSeparator: ":", fraction: fraction)
    }

    /// `2026-11-25 10:15:00.123`, the text GRDB stores for a `Date` (and parses back), made
    /// without the `DateFormatter` GRDB would use: every row written with a date loaded ICU.
    public static func database(_ date: Date) -> String {
        // To the nearest millisecond, as Foundation hands the instant to ICU.
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded())
        var seconds = time_t(milliseconds >= 0 ? milliseconds / 1000 : (milliseconds - 999) / 1000)
        let fraction = Int(milliseconds - Int64(seconds) * 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        var text = [UInt8]()
        text.reserveCapacity(23)
        func digits(_ value: Int, _ count: Int) {
            var divisor = 1
            for _ in 1..<count { divisor *= 10 }
            while divisor > 0 {
                text.append(UInt8(ascii: "0") + UInt8(value / divisor % 10)); divisor /= 10
            }
        }
        digits(Int(parts.tm_year) + 1900, 4); text.append(UInt8(ascii: "-"))
        digits(Int(parts.tm_mon) + 1, 2); text.append(UInt8(ascii: "-"))
        digits(Int(parts.tm_mday), 2); text.append(UInt8(ascii: " "))
        digits(Int(parts.tm_hour), 2); text.append(UInt8(ascii: ":"))
        digits(Int(parts.tm_min), 2); text.append(UInt8(ascii: ":"))
        digits(Int(parts.tm_sec), 2); text.append(UInt8(ascii: "."))
        digits(fraction, 3)
        return String(decoding: text, as: UTF8.self)
    }

    /// Parses the text `database(_:)` writes, `yyyy-MM-dd HH:mm:ss[.SSS]` in UTC; nil for any
    /// other form (the caller falls back to GRDB's parser for those).
    public static func parseDatabase(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count == 19 || (bytes.count == 23 && bytes[19] == UInt8(ascii: ".")),
            bytes[10] == UInt8(ascii: " "), let seconds = wholeSeconds(bytes)
        else { return nil }
        let milliseconds = bytes.count == 23 ? number(bytes, 20..<23) : 0
        guard let milliseconds else { return nil }
        return Date(timeIntervalSince1970: Double(Int64(seconds) * 1000 + Int64(milliseconds)) / 1000)
    }

    /// Parses `yyyy-MM-ddTHH:mm:ss[.fff]Z`.
    public static func parse(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 20, bytes[10] == UInt8(ascii: "T"), bytes.last == UInt8(ascii: "Z"),
            let seconds = wholeSeconds(bytes)
        else { return nil }
        var fraction = 0.0
        if bytes[19] == UInt8(ascii: "."), let value = Double("0" + text.dropFirst(19).dropLast()) {
            fraction = value
        }
        return Date(timeIntervalSince1970: Double(seconds) + fraction)
    }

    /// The instant of `yyyy-MM-dd?HH:mm:ss` in the first 19 bytes (both forms above put the
    /// fields at the same offsets), or nil when a field is not a number or out of range.
    private static func wholeSeconds(_ bytes: [UInt8]) -> time_t? {
        guard bytes.count >= 19,
            [4, 7].allSatisfy({ bytes[$0] == UInt8(ascii: "-") }),
            [13, 16].allSatisfy({ bytes[$0] == UInt8(ascii: ":") }),
            let year = number(bytes, 0..<4), let month = number(bytes, 5..<7), let day = number(bytes, 8..<10),
            let hour = number(bytes, 11..<13), let minute = number(bytes, 14..<16),
            let second = number(bytes, 17..<19),
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var parts = tm()
        parts.tm_year = Int32(year - 1900); parts.tm_mon = Int32(month - 1); parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour); parts.tm_min = Int32(minute); parts.tm_sec = Int32(second)
        return timegm(&parts)
    }

    private static func number(_ bytes: [UInt8], _ range: Range<Int>) -> Int? {
        var value = 0
        for index in range {
            guard bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(bytes[index] - UInt8(ascii: "0"))
        }
        return value
    }

    private static func format(_ date: Date, timeSeparator: String, fraction: Bool) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        var text =
            "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T"
            + "\(two(parts.tm_hour))\(timeSeparator)\(two(parts.tm_min))\(timeSeparator)\(two(parts.tm_sec))"
        if fraction {
            let milliseconds = Int((date.timeIntervalSince1970 - Double(seconds)) * 1000)
            text += "." + String(repeating: "0", count: 3 - String(milliseconds).count) + String(milliseconds)
        }
        return text + "Z"
    }
}

extension JSONEncoder.DateEncodingStrategy {
    /// ISO 8601 in UTC without ICU.
    public static var utcISO8601: JSONEncoder.DateEncodingStrategy {
        .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(UTCTime.iso8601(date))
        }
    }
}

extension JSONDecoder.DateDecodingStrategy {
    /// ISO 8601 in UTC without ICU.
    public static var utcISO8601: JSONDecoder.DateDecodingStrategy {
        .custom { decoder in
            let text = try decoder.singleValueContainer().decode(String.self)
            guard let date = UTCTime.parse(text) else {
                throw DecodingError.dataCorrupted(
                    .init(codingPath: decoder.codingPath, debugDescription: "not an ISO 8601 UTC time: \(text)"))
            }
            return date
        }
    }
}
