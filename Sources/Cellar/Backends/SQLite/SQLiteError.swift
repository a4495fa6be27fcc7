internal import CSQLite

/// An error reported by SQLite itself: its result code, its message and the
/// statement that failed.
///
/// Cellar turns the result codes a user can act on (a busy, full, read-only or
/// corrupt file) into a ``StoreError`` with a plain sentence. `SQLiteError`
/// reaches you only for failures that have no better name.
///
/// The values bound to the statement are kept out of ``description`` on
/// purpose: they are user data (balances, names) that must not end up in logs.
public struct SQLiteError: Error, Sendable, CustomStringConvertible {
    /// The extended result code, e.g. `SQLITE_BUSY` or `SQLITE_IOERR_FSYNC`.
    public let code: ResultCode
    /// SQLite's own message, e.g. `"database is locked"`.
    public let message: String
    /// The SQL statement that failed, if there was one.
    public let sql: String?
    /// The values that were bound to ``sql``; not part of ``description``.
    package let arguments: [SQLiteValue]

    package init(code: ResultCode, message: String, sql: String? = nil, arguments: [SQLiteValue] = []) {
        self.code = code
        self.message = message
        self.sql = sql
        self.arguments = arguments
    }

    public var description: String {
        var text = "SQLite error \(code.rawValue) (\(code.name)): \(message)"
        if let sql {
            text += " - while executing `\(sql)`"
        }
        return text
    }
}

extension SQLiteError {
    /// A SQLite result code. Match an extended code against a primary one
    /// with `~=`, as in `case .busy: ...` for `SQLITE_BUSY_RECOVERY`.
    public struct ResultCode: RawRepresentable, Hashable, Sendable {
        /// The code as SQLite defines it, e.g. `SQLITE_BUSY` (5).
        public let rawValue: Int32

        /// The code `rawValue`.
        public init(rawValue: Int32) {
            self.rawValue = rawValue
        }

        /// The primary code: the low byte of an extended code.
        public var primary: ResultCode {
            ResultCode(rawValue: rawValue & 0xFF)
        }

        /// SQLite's English name for the code, e.g. `"database is locked"`.
        public var name: String {
            String(cString: sqlite3_errstr(rawValue))
        }

        /// True when `code` is `pattern`, or when `pattern` is a primary code
        /// and `code` one of its extended codes.
        public static func ~= (pattern: ResultCode, code: ResultCode) -> Bool {
            if pattern.rawValue == pattern.primary.rawValue {
                return pattern.rawValue == code.primary.rawValue
            }
            return pattern.rawValue == code.rawValue
        }

        // The primary codes, as `sqlite3.h` names them.
        public static let error = ResultCode(rawValue: SQLITE_ERROR)
        public static let permission = ResultCode(rawValue: SQLITE_PERM)
        public static let abort = ResultCode(rawValue: SQLITE_ABORT)
        public static let busy = ResultCode(rawValue: SQLITE_BUSY)
        public static let locked = ResultCode(rawValue: SQLITE_LOCKED)
        public static let noMemory = ResultCode(rawValue: SQLITE_NOMEM)
        public static let readOnly = ResultCode(rawValue: SQLITE_READONLY)
        public static let interrupt = ResultCode(rawValue: SQLITE_INTERRUPT)
        public static let ioError = ResultCode(rawValue: SQLITE_IOERR)
        public static let corrupt = ResultCode(rawValue: SQLITE_CORRUPT)
        public static let full = ResultCode(rawValue: SQLITE_FULL)
        public static let cannotOpen = ResultCode(rawValue: SQLITE_CANTOPEN)
        public static let schema = ResultCode(rawValue: SQLITE_SCHEMA)
        public static let tooBig = ResultCode(rawValue: SQLITE_TOOBIG)
        public static let constraint = ResultCode(rawValue: SQLITE_CONSTRAINT)
        public static let mismatch = ResultCode(rawValue: SQLITE_MISMATCH)
        public static let misuse = ResultCode(rawValue: SQLITE_MISUSE)
        /// A parameter index out of range, or a wrong number of values bound.
        public static let range = ResultCode(rawValue: SQLITE_RANGE)
        public static let notADatabase = ResultCode(rawValue: SQLITE_NOTADB)
    }
}

extension SQLiteError: Equatable {
    public static func == (lhs: SQLiteError, rhs: SQLiteError) -> Bool {
        lhs.code == rhs.code && lhs.message == rhs.message && lhs.sql == rhs.sql
    }
}
