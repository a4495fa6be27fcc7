import Cellar
import CellarCLI

/// An amount of money, exact: a count of minor units (cents), never a
/// floating-point number.
struct Money: Comparable, Hashable, Sendable, CustomStringConvertible {
    let minorUnits: Int64

    static let zero = Money(minorUnits: 0)

    init(minorUnits: Int64) {
        self.minorUnits = minorUnits
    }

    /// Reads an amount as a person types it: digits, optionally a point and
    /// one or two more digits (`50`, `12.5`, `12.34`). Anything else is
    /// refused with the reason: signs, exponents, thousands separators, white
    /// space, a third decimal, more than the largest amount.
    init(parsing text: String) throws(CommandError) {
        func refuse(_ reason: String) -> CommandError {
            .badInput("\(quoted(text)) is not a valid amount (\(reason)); write amounts like 50 or 12.34.")
        }
        if text.isEmpty { throw refuse("it is empty") }
        if text.contains(where: \.isWhitespace) { throw refuse("it contains white space") }
        if text.hasPrefix("-") { throw refuse("it is negative") }
        if text.hasPrefix("+") { throw refuse("it has a sign") }
        if text.contains(where: { $0 == "e" || $0 == "E" }), text.contains(where: \.isNumber) {
            throw refuse("exponents are not accepted")
        }
        if text.contains(",") || text.contains("_") || text.contains("'") {
            throw refuse("thousands separators are not accepted")
        }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let whole = parts.first, !whole.isEmpty,
              whole.allSatisfy({ $0.isASCII && $0.isNumber }),
              parts.count == 1 || (!parts[1].isEmpty && parts[1].allSatisfy({ $0.isASCII && $0.isNumber }))
        else { throw refuse("it is not a number") }
        let fraction = parts.count == 2 ? parts[1] : ""
        if fraction.count > 2 { throw refuse("it has more than two decimals") }
        let cents = Int64(fraction + String(repeating: "0", count: 2 - fraction.count))!
        let digits = whole.drop { $0 == "0" }
        guard digits.count <= 18, let units = Int64(digits.isEmpty ? "0" : String(digits)),
              case (let scaled, false) = units.multipliedReportingOverflow(by: 100),
              case (let total, false) = scaled.addingReportingOverflow(cents)
        else { throw refuse("it is larger than \(Money(minorUnits: .max))") }
        self.minorUnits = total
    }

    /// Like `init(parsing:)`, and refuses zero too: what deposits,
    /// withdrawals and transfers need.
    static func positive(parsing text: String) throws(CommandError) -> Money {
        let amount = try Money(parsing: text)
        guard amount > .zero else {
            throw .badInput("The amount must be more than 0.00, not \(quoted(text)).")
        }
        return amount
    }

    /// Two decimals, as in `150.00`.
    /// As a ledger line shows an amount: `+50.00`, `-20.00`, `0.00`.
    var signedDescription: String {
        minorUnits > 0 ? "+\(self)" : description
    }

    var description: String {
        let sign = minorUnits < 0 ? "-" : ""
        let magnitude = minorUnits.magnitude
        let cents = magnitude % 100
        return "\(sign)\(magnitude / 100).\(cents < 10 ? "0" : "")\(cents)"
    }

    static func < (lhs: Money, rhs: Money) -> Bool {
        lhs.minorUnits < rhs.minorUnits
    }
}
