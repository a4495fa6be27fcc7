@testable import Cellar
import Foundation
import Testing

/// Dates inside JSON-encoded cells: ISO 8601 text, exact, and the earlier
/// form (seconds since 2001) still read.
@Suite struct DateCodingTests {
    struct Event: Codable, Sendable, Equatable {
        var name: String
        var at: Date
    }

    @Test(arguments: Backend.all) func aDateIsStoredAsISO8601TextThatSQLiteShows(backend: Backend) throws {
        guard let location = try backend.newLocation() else { return }
        let at = try Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse("2026-11-23T10:15:00.125Z")
        let factory = Factory("calendar") { cells in cells.cell("next", default: Event(name: "standup", at: at)) }
        let next = try location.open().restore(factory, key: "team")
        #expect(try location.rows("SELECT \(location.valueText) FROM cells") == [#"{"at":"2026-11-23T10:15:00.125Z","name":"standup"}"#])
        try next.set(Event(name: "retro", at: at.addingTimeInterval(3600 - 0.125)))
        #expect(try location.rows("SELECT \(location.valueText) FROM cells") == [#"{"at":"2026-11-23T11:15:00Z","name":"retro"}"#])
        #expect(try location.open().restore(factory, key: "team").get() == Event(name: "retro", at: at.addingTimeInterval(3600 - 0.125)))
    }

    @Test(arguments: Backend.all) func everyDateReadsBackExactly(backend: Backend) throws {
        var generator = SystemRandomNumberGenerator()
        var dates = [Date(), Date(timeIntervalSinceReferenceDate: 0), Date(timeIntervalSinceReferenceDate: 0.5),
                     Date(timeIntervalSinceReferenceDate: -0.25), Date(timeIntervalSinceReferenceDate: 1e-9),
                     Date(timeIntervalSince1970: 0), Date(timeIntervalSinceReferenceDate: 785_584_034.123456)]
        for _ in 0..<2000 {
            dates.append(Date(timeIntervalSinceReferenceDate: Double.random(in: -3e9...3e9, using: &generator)))
        }
        for date in dates {
            let text = DateCoding.text(of: date)
            #expect(DateCoding.date(from: text) == date, "\(text) read back as another time than \(date.timeIntervalSinceReferenceDate)")
            #expect(text.hasSuffix("Z"))
            if let point = text.firstIndex(of: ".") {
                #expect(!text[point...].dropLast().hasSuffix("0"), "\(text) has a trailing zero")
            }
        }
    }

    @Test(arguments: Backend.all) func theEarlierFormStillDecodes(backend: Backend) throws {
        guard let location = try backend.newLocation() else { return }
        let factory = Factory("calendar") { cells in cells.cell("next", default: Event(name: "x", at: Date())) }
        _ = try location.open().restore(factory, key: "team")
        // As Cellar wrote it before: seconds since 2001.
        try location.execute(#"UPDATE cell_versions SET "# + location.jsonColumn + #" = '{"at":785584034.123456,"name":"old"}'"#)
        let event = try location.open().restore(factory, key: "team").get()
        #expect(event == Event(name: "old", at: Date(timeIntervalSinceReferenceDate: 785_584_034.123456)))
    }
}
