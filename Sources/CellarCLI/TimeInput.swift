import Cellar
#if canImport(FoundationEssentials)
package import FoundationEssentials
#else
package import Foundation
#endif

/// Times and durations as the tools read and print them.
package enum TimeInput {
    /// Reads an ISO 8601 time with a time zone: `2026-11-23T10:00:00Z`,
    /// `2026-11-23T11:00:00.250+01:00`.
    package static func time(_ text: String) throws(CommandError) -> Date {
        let styles = [
            Date.ISO8601FormatStyle(includingFractionalSeconds: true),
            Date.ISO8601FormatStyle(includingFractionalSeconds: false),
        ]
        for style in styles {
            if let date = try? style.parse(text) { return date }
            if let date = try? style.timeZoneSeparator(.colon).parse(text) { return date }
        }
        throw .badInput("\(quoted(text)) is not a time; write ISO 8601 with a time zone, e.g. 2026-11-23T10:00:00Z.")
    }

    /// Reads a duration: a whole number and a unit, `30d`, `12h`, `15m` or `45s`.
    package static func duration(_ text: String) throws(CommandError) -> Duration {
        let units: [Character: Int64] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]
        guard let unit = text.last, let seconds = units[unit],
              let count = Int64(text.dropLast()), count >= 0, text.dropLast().allSatisfy(\.isNumber),
              case (let total, false) = count.multipliedReportingOverflow(by: seconds)
        else {
            throw .badInput("\(quoted(text)) is not a duration; write a whole number and a unit, e.g. 30d, 12h, 15m or 45s.")
        }
        return .seconds(total)
    }
}
