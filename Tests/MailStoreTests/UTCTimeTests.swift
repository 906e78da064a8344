import Foundation
import MailStore
import Testing

@Suite("UTC timestamps")
struct UTCTimeTests {
    @Test(
        "formats file-name and ISO 8601 forms of known instants",
        arguments: [
            (0.0, "1970-01-01T00-00-00Z", "1970-01-01T00:00:00Z"),
            (1_795_601_700.0, "2026-11-25T10-15-00Z", "2026-11-25T10:15:00Z"),
            (951_782_400.0, "2000-02-29T00-00-00Z", "2000-02-29T00:00:00Z"),
        ])
    func format(seconds: Double, fileName: String, iso: String) {
        let date = Date(timeIntervalSince1970: seconds)
        #expect(UTCTime.fileName(date) == fileName)
        #expect(UTCTime.iso8601(date) == iso)
        #expect(UTCTime.parse(iso) == date)
    }

    @Test("milliseconds round-trip; malformed text is refused")
    func fractionsAndErrors() {
        let date = Date(timeIntervalSince1970: 1_795_601_700.25)
        #expect(UTCTime.iso8601(date, fraction: true) == "2026-11-25T10:15:00.250Z")
        #expect(UTCTime.parse("2026-11-25T10:15:00.250Z") == date)
        for bad in ["", "2026-11-25 10:15:00Z", "2026-11-25T10:15:00", "2026-1x-25T10:15:00Z"] {
            #expect(UTCTime.parse(bad) == nil, "\(bad)")
        }
    }

    @Test("JSON dates encode and decode through the ICU-free strategies")
    func json() throws {
        struct Box: Codable, Equatable { var at: Date }
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .utcISO8601
        let data = try encoder.encode(Box(at: Date(timeIntervalSince1970: 1_795_601_700)))
        #expect(String(decoding: data, as: UTF8.self) == #"{"at":"2026-11-25T10:15:00Z"}"#)
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .utcISO8601
        #expect(try decoder.decode(Box.self, from: data) == Box(at: Date(timeIntervalSince1970: 1_795_601_700)))
    }
}
