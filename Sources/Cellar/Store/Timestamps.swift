#if canImport(FoundationEssentials)
package import FoundationEssentials
#else
package import Foundation
#endif

// Times as the store keeps them, and as Cellar and its tools print them.

/// Reads the ISO 8601 timestamps the schema writes (`2026-11-23T10:15:00.123Z`).
func parseTimestamp(_ text: String) -> Date {
    (try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text)) ?? Date(timeIntervalSince1970: 0)
}

/// Spells `date` as ISO 8601 in UTC with milliseconds, as the schema writes
/// times: `2026-11-23T10:15:00.123Z`.
///
/// The style cuts the fraction rather than rounding it, and a `Date` made
/// from a count of milliseconds can sit a hair below it: half a microsecond
/// more prints the millisecond it was made from.
package func formatTimestamp(_ date: Date) -> String {
    date.addingTimeInterval(0.000_000_5).formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
}

/// `date` as the history keeps times: milliseconds since 1970, to the
/// nearest (a `Date` is a floating-point count of seconds since 2001).
func milliseconds(_ date: Date) -> Int64 {
    Int64((date.timeIntervalSince1970 * 1000).rounded())
}

/// The `Date` of a count of milliseconds since 1970.
func date(milliseconds: Int64) -> Date {
    Date(timeIntervalSince1970: Double(milliseconds) / 1000)
}

/// Now, as the history keeps times: milliseconds since 1970.
func currentMilliseconds() -> Int64 {
    milliseconds(Date())
}
