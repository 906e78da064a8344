import Foundation
import GRDB
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

    @Test(
        "database text is the text GRDB's DateFormatter writes, and GRDB reads it back",
        arguments: [
            0.0, 1_795_601_700.0, 1_795_601_700.001, 1_795_601_700.999, 1_795_601_700.5004, 951_782_400.123,
            -1.25, -86_400.0, 4_102_444_799.999, 1_000_000_000.0996, 1_795_601_700.9996, -0.0004,
        ])
    func databaseText(seconds: Double) throws {
        let date = Date(timeIntervalSince1970: seconds)
        let grdb = try #require(String.fromDatabaseValue(date.databaseValue))
        #expect(UTCTime.database(date) == grdb)
        #expect(date.databaseText == grdb)
        let back = try #require(Date.fromDatabaseValue(UTCTime.database(date).databaseValue))
        #expect(abs(back.timeIntervalSince1970 - seconds) < 0.001)
        // GRDB goes through Calendar and DateComponents; the same millisecond can differ in the
        // last bits of the Double.
        let parsed = try #require(UTCTime.parseDatabase(grdb))
        #expect(abs(parsed.timeIntervalSince(back)) < 1e-6)
        #expect(Date(utcDatabaseValue: grdb.databaseValue) == parsed)
    }

    @Test("other stored forms fall back to GRDB's reading; malformed text reads as no date")
    func databaseFallbacks() {
        #expect(UTCTime.parseDatabase("2026-11-25T10:15:00.250") == nil)
        #expect(
            Date(utcDatabaseValue: "2026-11-25T10:15:00.250".databaseValue)
                == Date(timeIntervalSince1970: 1_795_601_700.25))
        #expect(Date(utcDatabaseValue: "2026-11-25".databaseValue) == Date(timeIntervalSince1970: 1_795_564_800))
        #expect(Date(utcDatabaseValue: 1_795_601_700.databaseValue) == Date(timeIntervalSince1970: 1_795_601_700))
        for bad in ["2026-13-25 10:15:00", "2026-11-25 10:15:0x", "2026-11-25 10:15:00.2500", "yesterday"] {
            #expect(UTCTime.parseDatabase(bad) == nil, "\(bad)")
        }
        #expect(Date(utcDatabaseValue: "yesterday".databaseValue) == nil)
        #expect(Date(utcDatabaseValue: .null) == nil)
    }

    @Test("records conforming to UTCDateColumns store that same text")
    func recordColumns() throws {
        struct Stamp: Codable, FetchableRecord, PersistableRecord, UTCDateColumns {
            var id: Int64
            var at: Date
            var until: Date?
        }
        let queue = try DatabaseQueue()
        try queue.write { db in
            try db.create(table: "stamp") { t in
                t.column("id", .integer).primaryKey(); t.column("at", .datetime); t.column("until", .datetime)
            }
            let at = Date(timeIntervalSince1970: 1_795_601_700.25)
            try Stamp(id: 1, at: at, until: nil).insert(db)
            let row = try #require(try Row.fetchOne(db, sql: "SELECT at, until FROM stamp"))
            #expect(row["at"] as String == "2026-11-25 10:15:00.250")
            #expect((row["until"] as String?) == nil)
            #expect(try Stamp.fetchOne(db)?.at == at)
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
