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

    /// Parses `yyyy-MM-ddTHH:mm:ss[.fff]Z`.
    public static func parse(_ text: String) -> Date? {
        let digits = text.utf8.map { Int($0) - 48 }
        guard text.utf8.count >= 20, Array(text.utf8)[10] == UInt8(ascii: "T"), text.hasSuffix("Z") else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for index in range {
                guard (0...9).contains(digits[index]) else { return nil }; value = value * 10 + digits[index]
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
            let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19)
        else { return nil }
        var parts = tm()
        parts.tm_year = Int32(year - 1900); parts.tm_mon = Int32(month - 1); parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour); parts.tm_min = Int32(minute); parts.tm_sec = Int32(second)
        var fraction = 0.0
        if Array(text.utf8)[19] == UInt8(ascii: "."), let value = Double("0" + text.dropFirst(19).dropLast()) {
            fraction = value
        }
        return Date(timeIntervalSince1970: Double(timegm(&parts)) + fraction)
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
