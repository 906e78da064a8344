/// INTERNALDATE with the zone the server gave: `"17-Jul-1996 02:44:25 -0700"`.
///
/// The zone is kept, not just the instant, so an APPEND reproduces the source's value exactly.
public struct InternalDate: Hashable, Sendable, CustomStringConvertible, Codable {
    public let year: Int, month: Int, day: Int
    public let hour: Int, minute: Int, second: Int
    /// Offset from UTC in minutes (`-0700` is -420).
    public let zoneMinutes: Int

    private static let monthNames = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ]

    public init?(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, zoneMinutes: Int) {
        guard (1...12).contains(month), (1...31).contains(day), (0...23).contains(hour),
            (0...59).contains(minute), (0...60).contains(second), abs(zoneMinutes) < 24 * 60
        else { return nil }
        self.year = year; self.month = month; self.day = day
        self.hour = hour; self.minute = minute; self.second = second; self.zoneMinutes = zoneMinutes
    }

    /// date-time = DQUOTE date-day-fixed "-" date-month "-" date-year SP time SP zone DQUOTE
    /// (`text` is the content between the quotes).
    public init?(_ text: String) {
        let bytes = Array(text.utf8)
        guard bytes.count == 26 else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for byte in bytes[range] {
                if byte == UInt8(ascii: " ") && value == 0 { continue }
                guard byte >= 48 && byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }
        let monthName = String(decoding: bytes[3..<6], as: UTF8.self).lowercased()
        guard bytes[2] == UInt8(ascii: "-"), bytes[6] == UInt8(ascii: "-"), bytes[11] == UInt8(ascii: " "),
            bytes[14] == UInt8(ascii: ":"), bytes[17] == UInt8(ascii: ":"), bytes[20] == UInt8(ascii: " "),
            let monthIndex = InternalDate.monthNames.firstIndex(where: { $0.lowercased() == monthName }),
            let day = number(0..<2), let year = number(7..<11), let hour = number(12..<14),
            let minute = number(15..<17), let second = number(18..<20),
            bytes[21] == UInt8(ascii: "+") || bytes[21] == UInt8(ascii: "-"),
            let zoneHours = number(22..<24), let zoneMins = number(24..<26)
        else { return nil }
        let zone = (zoneHours * 60 + zoneMins) * (bytes[21] == UInt8(ascii: "-") ? -1 : 1)
        self.init(
            year: year, month: monthIndex + 1, day: day, hour: hour, minute: minute, second: second, zoneMinutes: zone)
    }

    /// The wire form without quotes, day padded with zero: `"05-Nov-2026 10:15:00 +0100"`.
    public var description: String {
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let sign = zoneMinutes < 0 ? "-" : "+"
        let zone = abs(zoneMinutes)
        let yearText = String(repeating: "0", count: max(0, 4 - String(year).count)) + String(year)
        return
            "\(two(day))-\(InternalDate.monthNames[month - 1])-\(yearText) \(two(hour)):\(two(minute)):\(two(second)) \(sign)\(two(zone / 60))\(two(zone % 60))"
    }

    /// Seconds since 1970-01-01T00:00:00Z, for file mtimes and comparisons across zones.
    public var secondsSince1970: Int {
        // Days from civil date (Howard Hinnant's algorithm), independent of Foundation calendars.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let shiftedMonth = month > 2 ? month - 3 : month + 9
        let dayOfYear = (153 * shiftedMonth + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        return days * 86_400 + hour * 3_600 + minute * 60 + second - zoneMinutes * 60
    }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let value = InternalDate(text) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "not an INTERNALDATE: \(text)"))
        }
        self = value
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
