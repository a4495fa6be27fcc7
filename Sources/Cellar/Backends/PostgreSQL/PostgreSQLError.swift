// Compiled with or without the PostgreSQL trait, like StoreError, which
// carries it.

/// An error PostgreSQL or libpq reported: its SQLSTATE, its message and the
/// statement that failed. The values bound to the statement are never part
/// of it, and neither is a password.
public struct PostgreSQLError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The five-character SQLSTATE, e.g. `40001` for a serialization
    /// failure; nil when libpq gave none.
    public let sqlState: String?
    /// The server's or libpq's message.
    public let message: String
    /// The statement that failed, if there was one.
    public let sql: String?

    /// Cellar gave up waiting for a lock, to end a possible deadlock.
    let gaveUpLockWait: Bool

    package init(sqlState: String?, message: String, sql: String? = nil, gaveUpLockWait: Bool = false) {
        self.sqlState = sqlState
        self.message = message
        self.sql = sql
        self.gaveUpLockWait = gaveUpLockWait
    }

    public var description: String {
        var text = "PostgreSQL error \(sqlState ?? "-----"): \(message)"
        if let sql { text += " - while executing `\(sql)`" }
        return text
    }

    /// A serialization failure, a deadlock, or a lock wait given up so as
    /// not to deadlock: the transaction can run again.
    var isRetryable: Bool {
        sqlState == "40001" || sqlState == "40P01" || gaveUpLockWait
    }

    /// The connection was lost: SQLSTATE class 08 (libpq's own failures
    /// too), or the server shutting down (57P01, 57P02).
    var isConnectionFailure: Bool {
        sqlState?.hasPrefix("08") == true || sqlState == "57P01" || sqlState == "57P02"
    }
}
