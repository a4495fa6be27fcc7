#if canImport(FoundationEssentials)
internal import FoundationEssentials
#else
internal import Foundation
#endif

/// How a `Date` inside a JSON-encoded cell is stored: ISO 8601 text in UTC,
/// `"2026-11-23T10:15:00.123456Z"`, readable in `sqlite3`, in
/// `cellar inspect` and in an export.
///
/// The fraction has as many digits as it takes for the text to read back as
/// exactly the same `Date` (a `Date` is a floating-point count of seconds
/// since 2001), and no trailing zeros: whole seconds have none.
///
/// Values stored by earlier versions, as a number of seconds since 2001
/// (`785584034.123456`), still decode.
enum DateCoding {
    static func encode(_ date: Date, to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(text(of: date))
    }

    static func decode(from decoder: any Decoder) throws -> Date {
        let container = try decoder.singleValueContainer()
        if let seconds = try? container.decode(Double.self) {
            return Date(timeIntervalSinceReferenceDate: seconds)  // the earlier form
        }
        let text = try container.decode(String.self)
        guard let date = date(from: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "\(quoted(text)) is not an ISO 8601 time")
        }
        return date
    }

    /// `2026-11-23T10:15:00.123456Z`: the shortest fraction that reads back exactly.
    static func text(of date: Date) -> String {
        let interval = date.timeIntervalSinceReferenceDate
        guard interval.isFinite else { return String(interval) }  // not a time; refused by the decoder
        let whole = interval.rounded(.down)
        let fraction = interval - whole  // exact: the two are close
        let stamp = Date(timeIntervalSinceReferenceDate: whole).formatted(wholeSeconds)
        guard fraction > 0 else { return stamp }
        for digits in 1...17 {
            let text = fractionDigits(fraction, count: digits)
            if let decoded = Double("0." + text), whole + decoded == interval {
                return stamp.dropLast() + "." + text.trimmingTrailingZeros + "Z"
            }
        }
        return stamp.dropLast() + "." + fractionDigits(fraction, count: 17).trimmingTrailingZeros + "Z"
    }

    /// The time `text` spells: ISO 8601 with a time zone, with or without a fraction.
    static func date(from text: String) -> Date? {
        var main = Substring(text)
        var fraction = 0.0
        if let point = text.firstIndex(of: "."), let zone = text[point...].firstIndex(where: { $0 == "Z" || $0 == "+" || $0 == "-" }) {
            let digits = text[text.index(after: point)..<zone]
            guard !digits.isEmpty, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber), let value = Double("0." + digits) else {
                return nil
            }
            fraction = value
            main = text[..<point] + text[zone...]
        }
        guard let whole = (try? wholeSeconds.parse(String(main))) ?? (try? wholeSeconds.timeZoneSeparator(.colon).parse(String(main))) else {
            return nil
        }
        return Date(timeIntervalSinceReferenceDate: whole.timeIntervalSinceReferenceDate + fraction)
    }

    private static let wholeSeconds = Date.ISO8601FormatStyle(includingFractionalSeconds: false)

    /// The first `count` decimal digits of `fraction` (in 0..<1), rounded.
    private static func fractionDigits(_ fraction: Double, count: Int) -> String {
        var scaled = (fraction * pow10(count)).rounded()
        if scaled >= pow10(count) { scaled = pow10(count) - 1 }
        let digits = String(UInt64(scaled))
        return String(repeating: "0", count: count - digits.count) + digits
    }

    private static func pow10(_ exponent: Int) -> Double {
        (0..<exponent).reduce(1.0) { value, _ in value * 10 }
    }
}

extension StringProtocol {
    fileprivate var trimmingTrailingZeros: String {
        var text = String(self)
        while text.count > 1 && text.hasSuffix("0") { text.removeLast() }
        return text
    }
}
