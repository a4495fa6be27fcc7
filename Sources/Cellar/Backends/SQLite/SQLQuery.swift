/// A SQL statement the backend runs often: prepared once per connection and
/// cached under the query's identity, so a lookup hashes a pointer rather
/// than the text.
///
/// Queries are `static let` constants, built from the column lists in
/// `SQLiteRows.swift`.
final class SQLQuery: Sendable {
    let sql: String

    init(_ sql: String) {
        self.sql = sql
    }
}
