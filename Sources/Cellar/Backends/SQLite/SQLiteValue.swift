#if canImport(FoundationEssentials)
package import FoundationEssentials
#else
package import Foundation
#endif

/// A value bound to a statement or read from a column: one of SQLite's five
/// storage classes.
package enum SQLiteValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob(Data)

    /// A cell's value, as SQLite stores it: as itself.
    init(_ value: CellValue) {
        switch value {
        case .null: self = .null
        case .integer(let integer): self = .integer(integer)
        case .real(let real): self = .real(real)
        case .text(let text): self = .text(text)
        case .blob(let data): self = .blob(data)
        }
    }

    /// A cell's value, as the layers above the backend see it.
    var cellValue: CellValue {
        switch self {
        case .null: .null
        case .integer(let integer): .integer(integer)
        case .real(let real): .real(real)
        case .text(let text): .text(text)
        case .blob(let data): .blob(data)
        }
    }
}

extension Optional where Wrapped == String {
    /// The text, or NULL.
    var sqliteValue: SQLiteValue {
        map { .text($0) } ?? .null
    }
}
