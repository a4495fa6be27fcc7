internal import CSQLite
#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif
#if canImport(FoundationEssentials)
internal import FoundationEssentials
#else
internal import Foundation
#endif

/// One SQLite database connection: `sqlite3_open_v2` in `init`,
/// `sqlite3_close_v2` in `deinit`.
///
/// A connection is not `Sendable`: it is used by one thread at a time, and
/// the ``Engine`` above its ``SQLiteBackend`` guards it with a lock, which is also why its
/// caches need no run-time exclusivity checks.
final class Connection {
    let handle: OpaquePointer
    let path: String
    @exclusivity(unchecked) private var statementCache: [String: Statement] = [:]
    /// The same cache for the backend's queries, keyed by the query object:
    /// hashing a pointer instead of the text keeps lookups off the profile
    /// of the hot path.
    @exclusivity(unchecked) private var queryCache: [ObjectIdentifier: Statement] = [:]
    /// Kept alive here because SQLite's busy handler points at it.
    var busyWait: BusyWait?

    /// Opens the database at `path` (`":memory:"` for a private in-memory one).
    init(path: String, flags: Int32) throws(SQLiteError) {
        var handle: OpaquePointer?
        // NOMUTEX: the owner serializes access itself; EXRESCODE: extended
        // result codes, so that an I/O error says which system call failed.
        let code = sqlite3_open_v2(path, &handle, flags | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE, nil)
        guard code == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(code))
            sqlite3_close_v2(handle)
            throw SQLiteError(code: .init(rawValue: code), message: message)
        }
        self.handle = handle
        self.path = path
    }

    deinit {
        statementCache.removeAll()
        queryCache.removeAll()
        sqlite3_close_v2(handle)
    }

    /// The error SQLite reports for `code` on this connection.
    func error(code: Int32, sql: String? = nil, arguments: [SQLiteValue] = []) -> SQLiteError {
        // sqlite3_errmsg describes the latest failure on this connection,
        // which is the one that returned `code`.
        let message = String(cString: sqlite3_errmsg(handle))
        return SQLiteError(code: .init(rawValue: code), message: message, sql: sql, arguments: arguments)
    }

    /// Runs `sql`, which may hold several statements separated by semicolons.
    func execute(_ sql: String) throws {
        try sql.withCString { start in
            var next: UnsafePointer<CChar>? = start
            while let current = next, current.pointee != 0 {
                var statement: OpaquePointer?
                var tail: UnsafePointer<CChar>?
                let code = sqlite3_prepare_v2(handle, current, -1, &statement, &tail)
                let end = tail ?? current.advanced(by: strlen(current))
                let text = trimmed(String(decoding: UnsafeRawBufferPointer(start: current, count: current.distance(to: end)),
                                          as: UTF8.self))
                guard code == SQLITE_OK else { throw error(code: code, sql: text) }
                next = tail
                guard let statement else { continue }  // only a comment or white space was left
                defer { sqlite3_finalize(statement) }
                var stepCode = sqlite3_step(statement)
                while stepCode == SQLITE_ROW { stepCode = sqlite3_step(statement) }
                guard stepCode == SQLITE_DONE else { throw error(code: stepCode, sql: text) }
            }
        }
    }

    /// A statement for `sql`, prepared once and reused for the connection's life.
    func cachedStatement(_ sql: String) throws(SQLiteError) -> Statement {
        if let statement = statementCache[sql] {
            return statement
        }
        let statement = try Statement(connection: self, sql: sql, persistent: true)
        statementCache[sql] = statement
        return statement
    }

    /// The statement for `query`, prepared once and reused for the connection's life.
    func cachedStatement(_ query: SQLQuery) throws(SQLiteError) -> Statement {
        let key = ObjectIdentifier(query)
        if let statement = queryCache[key] {
            return statement
        }
        let statement = try Statement(connection: self, sql: query.sql, persistent: true)
        queryCache[key] = statement
        return statement
    }

    /// Forgets the cached statement for `sql`, after it failed: like GRDB,
    /// prepare it afresh next time rather than reuse a statement whose last
    /// run ended in an error (an interrupted or schema-changed statement).
    func evictCachedStatement(_ sql: String) {
        statementCache[sql] = nil
        queryCache = queryCache.filter { $0.value.sql != sql }
    }

    /// The rows the latest INSERT, UPDATE or DELETE changed.
    var changes: Int {
        Int(sqlite3_changes64(handle))
    }

    var lastInsertedRowID: Int64 {
        sqlite3_last_insert_rowid(handle)
    }

    /// True outside an explicit transaction. SQLite can roll a transaction
    /// back on its own after some errors (disk full, I/O), which turns this
    /// back to true.
    var isAutocommit: Bool {
        sqlite3_get_autocommit(handle) != 0
    }

    /// The pager's data version (`SQLITE_FCNTL_DATA_VERSION`): changes with
    /// every commit to the file, this connection's included, as seen at the
    /// start of the current or last transaction.
    var fileDataVersion: UInt32 {
        var version: UInt32 = 0
        sqlite3_file_control(handle, "main", SQLITE_FCNTL_DATA_VERSION, &version)
        return version
    }

    var isReadOnly: Bool {
        sqlite3_db_readonly(handle, "main") == 1
    }
}

/// `text` without the white space around it.
private func trimmed(_ text: String) -> String {
    guard let first = text.firstIndex(where: { !$0.isWhitespace }),
          let last = text.lastIndex(where: { !$0.isWhitespace })
    else { return "" }
    return String(text[first...last])
}
