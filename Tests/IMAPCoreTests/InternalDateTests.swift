import Foundation
import IMAPCore
import Testing

/// INTERNALDATE (`date-time` of RFC 3501) parsing, printing and instants.
@Suite("InternalDate")
struct InternalDateTests {
    struct Known: Sendable, CustomTestStringConvertible {
        let text: String
        let components: [Int]  // year, month, day, hour, minute, second, zone minutes
        let printed: String
        let epoch: Int
        var testDescription: String { text }
    }

    static let known: [Known] = [
        Known(
            text: "17-Jul-1996 02:44:25 -0700", components: [1996, 7, 17, 2, 44, 25, -420],
            printed: "17-Jul-1996 02:44:25 -0700", epoch: 837_596_665),
        Known(
            text: "05-Nov-2026 10:15:00 +0100", components: [2026, 11, 5, 10, 15, 0, 60],
            printed: "05-Nov-2026 10:15:00 +0100", epoch: 1_793_870_100),
        Known(
            text: " 5-Nov-2026 10:15:00 +0100", components: [2026, 11, 5, 10, 15, 0, 60],
            printed: "05-Nov-2026 10:15:00 +0100", epoch: 1_793_870_100),
        Known(
            text: "01-Jan-1970 00:00:00 +0000", components: [1970, 1, 1, 0, 0, 0, 0],
            printed: "01-Jan-1970 00:00:00 +0000", epoch: 0),
        Known(
            text: "31-Dec-1969 23:59:59 +0000", components: [1969, 12, 31, 23, 59, 59, 0],
            printed: "31-Dec-1969 23:59:59 +0000", epoch: -1),
        Known(
            text: "29-Feb-2024 12:00:00 +0530", components: [2024, 2, 29, 12, 0, 0, 330],
            printed: "29-Feb-2024 12:00:00 +0530", epoch: 1_709_188_200),
        Known(
            text: "01-Jan-2000 00:00:00 -1200", components: [2000, 1, 1, 0, 0, 0, -720],
            printed: "01-Jan-2000 00:00:00 -1200", epoch: 946_728_000),
        Known(
            text: "15-Mar-2025 08:00:00 -0330", components: [2025, 3, 15, 8, 0, 0, -210],
            printed: "15-Mar-2025 08:00:00 -0330", epoch: 1_742_038_200),
        Known(
            text: "05-nov-2026 10:15:00 +0100", components: [2026, 11, 5, 10, 15, 0, 60],
            printed: "05-Nov-2026 10:15:00 +0100", epoch: 1_793_870_100),
    ]

    @Test("parses", arguments: known)
    func parses(_ example: Known) throws {
        let value = try #require(InternalDate(example.text))
        #expect(
            [value.year, value.month, value.day, value.hour, value.minute, value.second, value.zoneMinutes]
                == example.components)
    }

    @Test("prints the zero-padded wire form", arguments: known)
    func prints(_ example: Known) throws {
        #expect(try #require(InternalDate(example.text)).description == example.printed)
    }

    @Test("round trips through its printed form", arguments: known)
    func roundTrip(_ example: Known) throws {
        let value = try #require(InternalDate(example.text))
        #expect(InternalDate(value.description) == value)
    }

    @Test("seconds since 1970 for known instants", arguments: known)
    func epoch(_ example: Known) throws {
        #expect(try #require(InternalDate(example.text)).secondsSince1970 == example.epoch)
    }

    @Test(
        "rejects",
        arguments: [
            "5-Nov-2026 10:15:00 +0100",  // day not padded to two characters
            "05-Foo-2026 10:15:00 +0100",
            "32-Nov-2026 10:15:00 +0100",
            "00-Nov-2026 10:15:00 +0100",
            "05-Nov-2026 24:00:00 +0100",
            "05-Nov-2026 10:60:00 +0100",
            "05-Nov-2026 10:15:61 +0100",
            "05-Nov-2026 10:15:00 0100",  // zone without sign
            "05-Nov-2026 10:15:00 +2400",  // zone a whole day off
            "05/Nov/2026 10:15:00 +0100",
            "05-Nov-2026T10:15:00 +0100",
            "05-Nov-2026 10:15:00 +01:0",
            "05-Nov-2026 1x:15:00 +0100",
            "\"05-Nov-2026 10:15:00 +0100\"",  // quotes belong to the caller
            "",
        ])
    func rejects(_ text: String) {
        #expect(InternalDate(text) == nil)
    }

    @Test("the same instant in two zones: equal seconds, different values")
    func zonesKept() throws {
        let prague = try #require(InternalDate("05-Nov-2026 10:15:00 +0100"))
        let utc = try #require(InternalDate("05-Nov-2026 09:15:00 +0000"))
        let newYork = try #require(InternalDate("05-Nov-2026 04:15:00 -0500"))
        #expect(prague.secondsSince1970 == utc.secondsSince1970)
        #expect(newYork.secondsSince1970 == utc.secondsSince1970)
        #expect(prague != utc)
    }

    @Test("memberwise init validates ranges")
    func memberwise() {
        #expect(
            InternalDate(year: 2026, month: 11, day: 5, hour: 10, minute: 15, second: 0, zoneMinutes: 60)?.description
                == "05-Nov-2026 10:15:00 +0100")
        #expect(InternalDate(year: 2026, month: 13, day: 5, hour: 10, minute: 15, second: 0, zoneMinutes: 0) == nil)
        #expect(
            InternalDate(year: 2026, month: 11, day: 5, hour: 10, minute: 15, second: 0, zoneMinutes: 24 * 60) == nil)
        #expect(
            InternalDate(year: 2016, month: 12, day: 31, hour: 23, minute: 59, second: 60, zoneMinutes: 0) != nil,
            "leap second")
        #expect(
            InternalDate(year: 999, month: 1, day: 1, hour: 0, minute: 0, second: 0, zoneMinutes: 0)?.description
                == "01-Jan-0999 00:00:00 +0000")
    }

    @Test("Codable as its wire form")
    func codable() throws {
        let value = try #require(InternalDate(" 5-Nov-2026 10:15:00 -0330"))
        let data = try JSONEncoder().encode([value])
        #expect(String(decoding: data, as: UTF8.self) == #"["05-Nov-2026 10:15:00 -0330"]"#)
        #expect(try JSONDecoder().decode([InternalDate].self, from: data) == [value])
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([InternalDate].self, from: Data(#"["yesterday"]"#.utf8))
        }
    }
}
