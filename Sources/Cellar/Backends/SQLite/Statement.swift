internal import CSQLite
#if canImport(FoundationEssentials)
internal import FoundationEssentials
#else
internal import Foundation
#endif

/// A prepared SQL statement: one `sqlite3_stmt`, prepared in `init` and
/// finalized in `deinit`.
///
/// A statement belongs to its ``Connection`` and, like it, is used by one
/// thread at a time (hence no run-time exclusivity checks). Every run binds
/// exactly as many values as the statement has parameters, steps and
/// resets, so a cached statement never holds a read transaction open
/// between uses nor runs with a value left from its last run.
final class Statement {
    let handle: OpaquePointer
    let sql: String
    private unowned let connection: Connection
    /// The text bound to each parameter, if that is what it holds. SQLite
    /// keeps bindings across `sqlite3_reset`, with its own copy of the text,
    /// so binding the same text again is skipped: a cell's name and type go
    /// with every write, and copying them cost a write 5% of its time.
    @exclusivity(unchecked) private var boundTexts: [String?]

    init(connection: Connection, sql: String, persistent: Bool) throws(SQLiteError) {
        var handle: OpaquePointer?
        let flags = persistent ? UInt32(SQLITE_PREPARE_PERSISTENT) : 0
        let code = sqlite3_prepare_v3(connection.handle, sql, -1, flags, &handle, nil)
        guard code == SQLITE_OK, let handle else {
            throw connection.error(code: code, sql: sql)
        }
        self.handle = handle
        self.sql = sql
        self.connection = connection
        self.boundTexts = Array(repeating: nil, count: Int(sqlite3_bind_parameter_count(handle)) + 1)
    }

    deinit {
        sqlite3_finalize(handle)
    }

    // MARK: Binding

    /// The number of parameters: the largest `?N`.
    var parameterCount: Int {
        boundTexts.count - 1
    }

    /// Binds `values` to the parameters `?1`, `?2`, ... in order, and
    /// `trailing`, if given, to the last: one value for each parameter, no
    /// more, no fewer. (SQLite keeps bindings across runs, so a shorter
    /// list would silently reuse the last run's values.)
    ///
    /// `trailing` is the change number every write carries: bound apart,
    /// it does not make every write build a longer array.
    func bind(_ values: [SQLiteValue], trailing: Int64? = nil) throws(SQLiteError) {
        let count = values.count + (trailing == nil ? 0 : 1)
        guard count == parameterCount else {
            throw SQLiteError(
                code: .range, message: "the statement takes \(parameterCount) values, \(count) were given", sql: sql,
                arguments: values)
        }
        for (offset, value) in values.enumerated() {
            try bind(value, at: Int32(offset + 1), all: values)
        }
        if let trailing {
            let code = sqlite3_bind_int64(handle, Int32(count), trailing)
            guard code == SQLITE_OK else { throw connection.error(code: code, sql: sql, arguments: values) }
        }
    }

    private func bind(_ value: SQLiteValue, at index: Int32, all: [SQLiteValue]) throws(SQLiteError) {
        let slot = Int(index)
        if case .text(let text) = value, let bound = boundTexts[slot], Self.sameBytes(bound, text) {
            return
        }
        boundTexts[slot] = nil
        let code: Int32
        switch value {
        case .null:
            code = sqlite3_bind_null(handle, index)
        case .integer(let integer):
            code = sqlite3_bind_int64(handle, index, integer)
        case .real(let real):
            code = sqlite3_bind_double(handle, index, real)
        case .text(var text):
            // With the byte count, a string holding NUL characters is bound whole.
            code = text.withUTF8 { bytes -> Int32 in
                guard let base = bytes.baseAddress else {
                    return sqlite3_bind_text(handle, index, "", 0, nil)
                }
                return base.withMemoryRebound(to: CChar.self, capacity: bytes.count) { characters in
                    sqlite3_bind_text64(handle, index, characters, UInt64(bytes.count),
                                        cellar_sqlite_transient(), UInt8(SQLITE_UTF8))
                }
            }
        case .blob(let data):
            code = data.withUnsafeBytes { bytes in
                // An empty Data may have no base address; SQLite needs a non-null
                // pointer to store a zero-length blob rather than NULL.
                sqlite3_bind_blob64(
                    handle, index, bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1),
                    UInt64(bytes.count), cellar_sqlite_transient())
            }
        }
        guard code == SQLITE_OK else {
            throw connection.error(code: code, sql: sql, arguments: all)
        }
        if case .text(let text) = value {
            boundTexts[slot] = text
        }
    }

    /// Whether two strings are the same UTF-8 bytes: Swift's `==` would
    /// call "é" and "e\u{301}" the same.
    private static func sameBytes(_ first: String, _ second: String) -> Bool {
        var first = first, second = second
        return first.withUTF8 { a in
            second.withUTF8 { b in
                a.count == b.count && a.elementsEqual(b)
            }
        }
    }

    // MARK: Running

    /// Binds `arguments` (and `trailing`, see ``bind(_:trailing:)``), steps
    /// once and calls `row` if a row came back; resets the statement either way.
    func queryOne<T>(
        _ arguments: [SQLiteValue] = [], trailing: Int64? = nil, _ row: (Statement) throws -> T
    ) throws -> T? {
        defer { reset() }
        try bind(arguments, trailing: trailing)
        guard try step(arguments) else { return nil }
        return try row(self)
    }

    /// Binds `arguments` and calls `row` for every row; resets afterwards.
    func queryAll<T>(_ arguments: [SQLiteValue] = [], _ row: (Statement) throws -> T) throws -> [T] {
        var rows: [T] = []
        try queryWhile(arguments) { statement in
            rows.append(try row(statement))
            return true
        }
        return rows
    }

    /// Binds `arguments` and calls `row` for each row until it returns
    /// false or the rows end; resets afterwards.
    func queryWhile(_ arguments: [SQLiteValue] = [], _ row: (Statement) throws -> Bool) throws {
        defer { reset() }
        try bind(arguments)
        while try step(arguments), try row(self) {}
    }

    /// Binds `arguments` (and `trailing`, see ``bind(_:trailing:)``) and
    /// runs the statement to completion.
    func execute(_ arguments: [SQLiteValue] = [], trailing: Int64? = nil) throws(SQLiteError) {
        defer { reset() }
        try bind(arguments, trailing: trailing)
        while try step(arguments) {}
    }

    /// Advances to the next row: true when a row is available, false when done.
    private func step(_ arguments: [SQLiteValue]) throws(SQLiteError) -> Bool {
        switch sqlite3_step(handle) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        case let code: throw connection.error(code: code, sql: sql, arguments: arguments)
        }
    }

    private func reset() {
        // The error sqlite3_reset returns repeats the one step already threw.
        // Bindings are not cleared: every run binds every parameter anew
        // (`bind` checks the count), and text bound again is skipped.
        sqlite3_reset(handle)
    }

    // MARK: Reading columns

    func value(at column: Int32) -> SQLiteValue {
        switch sqlite3_column_type(handle, column) {
        case SQLITE_INTEGER:
            return .integer(sqlite3_column_int64(handle, column))
        case SQLITE_FLOAT:
            return .real(sqlite3_column_double(handle, column))
        case SQLITE_TEXT:
            return .text(text(at: column))
        case SQLITE_BLOB:
            let count = Int(sqlite3_column_bytes(handle, column))
            guard count > 0, let bytes = sqlite3_column_blob(handle, column) else { return .blob(Data()) }
            return .blob(Data(bytes: bytes, count: count))
        default:
            return .null
        }
    }

    func cellValue(at column: Int32) -> CellValue {
        value(at: column).cellValue
    }

    /// The text in `column`, or nil for NULL.
    func optionalText(at column: Int32) -> String? {
        sqlite3_column_type(handle, column) == SQLITE_NULL ? nil : text(at: column)
    }

    /// The integer in `column`, or nil for NULL.
    func optionalInteger(at column: Int32) -> Int64? {
        sqlite3_column_type(handle, column) == SQLITE_NULL ? nil : integer(at: column)
    }

    func integer(at column: Int32) -> Int64 {
        sqlite3_column_int64(handle, column)
    }

    func text(at column: Int32) -> String {
        guard let pointer = sqlite3_column_text(handle, column) else { return "" }
        let count = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: pointer, count: count), as: UTF8.self)
    }
}
