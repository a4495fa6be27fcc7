#if PostgreSQL
internal import CLibPQ
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

/// One PostgreSQL connection through libpq: `PQconnectdb` in `init`,
/// `PQfinish` in `deinit`.
///
/// Like SQLite's ``Connection``, it is not `Sendable`: the engine above its
/// backend uses it from one thread at a time, under its lock.
///
/// Values travel as text (libpq's text format), which PostgreSQL parses
/// and prints exactly for every type Cellar stores, floating-point numbers
/// included (shortest exact form since PostgreSQL 12); `bytea` goes as
/// binary.
final class PGConnection {
    let handle: OpaquePointer
    /// The server as messages name it, without a password.
    let location: String
    /// The names of the statements prepared on this connection (see
    /// ``PGStatement/CacheKey``): C strings, made once, freed by
    /// ``forgetPreparedStatements()``.
    private var prepared: [PGStatement.CacheKey: UnsafeMutablePointer<CChar>] = [:]
    /// Run again on every new connection: the session's settings.
    var sessionSetup: [String] = []
    /// Whether a lock wait that times out (55P03) was given up on purpose,
    /// to end a possible deadlock: its error then says the transaction can
    /// run again.
    var givesUpLockWaits = false
    /// How many round trips to the server this connection has made: for
    /// tests that hold the backend to its count.
    private(set) var roundTrips = 0

    /// Connects with libpq's connection string or URI; the password comes
    /// from it, `PGPASSWORD` or `~/.pgpass`, as libpq decides.
    init(connectionString: String, location: String) throws(PostgreSQLError) {
        guard let handle = PQconnectdb(connectionString) else {
            throw PostgreSQLError(sqlState: nil, message: "libpq could not allocate a connection")
        }
        guard PQstatus(handle) == CONNECTION_OK else {
            let message = Self.message(of: handle)
            PQfinish(handle)
            throw PostgreSQLError(sqlState: "08001", message: message)
        }
        self.handle = handle
        self.location = location
        // Notices ("schema already exists, skipping") are not errors: libpq
        // would print them on standard error.
        PQsetNoticeProcessor(handle, { _, _ in }, nil)
    }

    deinit {
        forgetPreparedStatements()
        PQfinish(handle)
    }

    /// libpq's latest message on `handle`, on one line.
    private static func message(of handle: OpaquePointer) -> String {
        let text = String(cString: PQerrorMessage(handle))
        return text.split(whereSeparator: \.isNewline).map { line in
            line.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed()
        }.filter { !$0.isEmpty }.map { String($0) }.joined(separator: " ")
    }

    // MARK: Running statements

    /// Runs `sql`, which may hold several statements and takes no parameters,
    /// in libpq's simple protocol: for migrations and session settings,
    /// never while statements wait in the queue.
    func execute(_ sql: String) throws(PostgreSQLError) {
        precondition(queue.isEmpty, "execute with statements queued")
        roundTrips += 1
        let result = PQexec(handle, sql)
        defer { PQclear(result) }
        try check(result, sql: sql)
    }

    /// Queues `sql` to go with the next round trip (``query(_:_:)`` or
    /// ``flush()``): a statement whose rows nobody waits for, such as
    /// `BEGIN`, a lock or a write inside a transaction. Its failure is
    /// thrown by that round trip.
    ///
    /// - Parameters:
    ///   - expectedChangedRows: The round trip throws if the statement
    ///     changed another number of rows.
    ///   - onRows: Called with the statement's rows when they arrive.
    func enqueue(_ sql: PGStatement, _ parameters: [PGParameter] = [], expectedChangedRows: Int? = nil,
                 onRows: ((PGRows) -> Void)? = nil) throws(PostgreSQLError) {
        queue.append(QueuedStatement(statement: sql, parameters: parameters, expectedChangedRows: expectedChangedRows, onRows: onRows))
        // A long transaction does not hold every change in memory.
        if queue.count >= Self.longestQueue { try flush() }
    }

    /// Whether statements wait for the next round trip.
    var hasQueued: Bool { !queue.isEmpty }

    /// Forgets the queued statements: their transaction is rolled back anyway.
    func discardQueue() {
        queue.removeAll()
    }

    /// Sends the queued statements, in one round trip, and checks them.
    func flush() throws(PostgreSQLError) {
        guard !queue.isEmpty else { return }
        _ = try sendQueue()
    }

    /// Sends the queued statements in one round trip (see ``run(_:)``),
    /// with the queue emptied first: a statement queued meanwhile (by an
    /// `onRows`) waits for the next round trip. The two queues' buffers
    /// take turns, so that a round trip allocates none.
    private func sendQueue() throws(PostgreSQLError) -> PGRows {
        var statements: [QueuedStatement] = []
        swap(&statements, &spareQueue)
        swap(&statements, &queue)
        defer {
            statements.removeAll(keepingCapacity: true)
            swap(&statements, &spareQueue)
        }
        return try run(statements)
    }

    /// Runs `sql` with `parameters` ($1, $2...) as a statement prepared once
    /// per connection, after the queued statements and in the same round
    /// trip, and returns its rows.
    @discardableResult
    func query(_ sql: PGStatement, _ parameters: [PGParameter] = []) throws(PostgreSQLError) -> PGRows {
        queue.append(QueuedStatement(statement: sql, parameters: parameters, expectedChangedRows: nil, onRows: nil))
        return try sendQueue()
    }

    /// A statement waiting in the queue.
    private struct QueuedStatement {
        let statement: PGStatement
        let parameters: [PGParameter]
        let expectedChangedRows: Int?
        let onRows: ((PGRows) -> Void)?
    }

    /// Statements queued before the queue is sent on its own.
    private static let longestQueue = 256
    private var queue: [QueuedStatement] = []
    /// An empty buffer for ``queue``'s next turn (see ``sendQueue()``).
    private var spareQueue: [QueuedStatement] = []

    /// Runs `statements` in one round trip; see ``send(_:)``.
    ///
    /// When the server dropped the connection while it was idle (a restart,
    /// an idle timeout), nothing of a round trip without `COMMIT` can have
    /// been applied: it goes again, once, on a new connection. Any other
    /// lost connection is the caller's to report.
    private func run(_ statements: [QueuedStatement]) throws(PostgreSQLError) -> PGRows {
        let startedIdle = PQtransactionStatus(handle) == PQTRANS_IDLE
        do {
            return try send(statements)
        } catch {
            let failure: PostgreSQLError = error
            guard failure.isConnectionFailure, startedIdle, !statements.contains(where: { $0.statement.sql == "COMMIT" }) else { throw failure }
            try reconnect()
            return try send(statements)
        }
    }

    /// Sends `statements` in one round trip (libpq's pipeline mode when
    /// there are several); returns the last one's rows. The first failure
    /// is thrown once every result has arrived: the statements after it
    /// did not run.
    private func send(_ statements: [QueuedStatement]) throws(PostgreSQLError) -> PGRows {
        for queued in statements {
            for case .text(let text) in queued.parameters where Self.holdsNUL(text) {
                // libpq takes text as C strings, and PostgreSQL's text has no NUL.
                throw PostgreSQLError(sqlState: "22021", message: "PostgreSQL cannot store text that holds a NUL character")
            }
        }
        // Prepared before the pipeline starts: PQprepare waits for its answer.
        return try withUnsafeTemporaryAllocation(of: UnsafePointer<CChar>.self, capacity: statements.count) {
            names throws(PostgreSQLError) in
            for (index, queued) in statements.enumerated() {
                names.initializeElement(at: index, to: try preparedName(for: queued.statement))
            }
            roundTrips += 1
            if statements.count == 1 {
                return try execute(statements[0], named: names[0])
            }
            return try pipeline(statements, named: names)
        }
    }

    /// Runs one prepared statement and waits for its result.
    private func execute(_ queued: QueuedStatement, named name: UnsafePointer<CChar>) throws(PostgreSQLError) -> PGRows {
        let result = withParameters(queued.parameters) { count, values, lengths, formats in
            PQexecPrepared(handle, name, count, values, lengths, formats, 0)
        }
        let rows = PGRows(result)  // cleared when let go, whatever happens
        try check(result, sql: queued.statement.sql)
        return try accept(rows, of: queued)
    }

    /// Sends prepared statements in libpq's pipeline mode, then reads
    /// their results.
    private func pipeline(_ statements: [QueuedStatement], named names: UnsafeMutableBufferPointer<UnsafePointer<CChar>>)
        throws(PostgreSQLError) -> PGRows {
        guard PQenterPipelineMode(handle) == 1 else { throw connectionError(sql: statements[0].statement.sql) }
        defer { PQexitPipelineMode(handle) }
        for (queued, name) in zip(statements, names) {
            let sent = withParameters(queued.parameters) { count, values, lengths, formats in
                PQsendQueryPrepared(handle, name, count, values, lengths, formats, 0)
            }
            guard sent == 1 else { throw connectionError(sql: queued.statement.sql) }
        }
        guard PQpipelineSync(handle) == 1 else { throw connectionError(sql: statements[0].statement.sql) }
        var failure: PostgreSQLError?
        var last: PGRows?
        for (index, queued) in statements.enumerated() {
            guard let result = PQgetResult(handle) else {
                throw connectionError(sql: queued.statement.sql)
            }
            // Each statement's results end with a null one.
            while let extra = PQgetResult(handle) { PQclear(extra) }
            if PQresultStatus(result) == PGRES_PIPELINE_ABORTED {
                PQclear(result)
                continue
            }
            do {
                try check(result, sql: queued.statement.sql)
            } catch {
                PQclear(result)
                failure = failure ?? error
                continue
            }
            guard index == statements.count - 1 || queued.onRows != nil || queued.expectedChangedRows != nil else {
                PQclear(result)  // nobody reads its rows
                continue
            }
            do {
                last = try accept(PGRows(result), of: queued)
            } catch {
                failure = failure ?? error
            }
        }
        // The synchronization point that ends the pipeline.
        guard let sync = PQgetResult(handle) else { throw connectionError(sql: statements[0].statement.sql) }
        PQclear(sync)
        if let failure { throw failure }
        guard let last else { throw connectionError(sql: statements[0].statement.sql) }
        return last
    }

    /// Whether `text` holds a NUL character, which a C string cannot.
    private static func holdsNUL(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { utf8 in
            guard let start = utf8.baseAddress else { return false }
            return memchr(start, 0, utf8.count) != nil
        }
    }

    /// Checks what a statement was expected to change and hands its rows on.
    private func accept(_ rows: PGRows, of queued: QueuedStatement) throws(PostgreSQLError) -> PGRows {
        if let expected = queued.expectedChangedRows, rows.changedRows != expected {
            throw PostgreSQLError(sqlState: nil, message: "changed \(rows.changedRows) rows instead of \(expected)", sql: queued.statement.sql)
        }
        queued.onRows?(rows)
        return rows
    }

    /// The error for a round trip that broke off: usually a lost connection.
    private func connectionError(sql: String) -> PostgreSQLError {
        forgetPreparedStatements()
        return PostgreSQLError(sqlState: PQstatus(handle) == CONNECTION_OK ? nil : "08006", message: Self.message(of: handle), sql: sql)
    }

    /// The name of the prepared statement for `statement`, preparing it on
    /// first use; valid until ``forgetPreparedStatements()``.
    private func preparedName(for statement: PGStatement) throws(PostgreSQLError) -> UnsafePointer<CChar> {
        let key = statement.cacheKey
        if let name = prepared[key] { return UnsafePointer(name) }
        let name = strdup("cellar_\(prepared.count + 1)")!
        roundTrips += 1
        let result = PQprepare(handle, name, statement.sql, 0, nil)
        defer { PQclear(result) }
        do {
            try check(result, sql: statement.sql)
        } catch {
            free(name)
            throw error
        }
        prepared[key] = name
        return UnsafePointer(name)
    }

    /// Forgets the prepared statements: they went with the connection.
    private func forgetPreparedStatements() {
        prepared.values.forEach { free($0) }
        prepared.removeAll()
    }

    /// Throws the error `result` reports, if it reports one.
    private func check(_ result: OpaquePointer?, sql: @autoclosure () -> String) throws(PostgreSQLError) {
        switch result.map(PQresultStatus) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return
        default:
            let sqlState = result.flatMap { PQresultErrorField($0, Int32(UInt8(ascii: "C"))) }.map { String(cString: $0) }
            let message = result.flatMap { PQresultErrorField($0, Int32(UInt8(ascii: "M"))) }.map { String(cString: $0) }
                ?? Self.message(of: handle)
            if PQstatus(handle) != CONNECTION_OK {
                // The connection is gone: prepared statements went with it.
                forgetPreparedStatements()
            }
            throw PostgreSQLError(sqlState: sqlState ?? (PQstatus(handle) == CONNECTION_OK ? nil : "08006"), message: message, sql: sql(),
                                  gaveUpLockWait: givesUpLockWaits && sqlState == "55P03")
        }
    }

    // MARK: Reconnecting

    /// Connects again if the connection is known to be lost. (A server that
    /// closed it while it was idle is found out by the next round trip.)
    func reconnectIfLost() throws(PostgreSQLError) {
        guard PQstatus(handle) != CONNECTION_OK else { return }
        try reconnect()
    }

    /// Connects again with the same parameters and runs ``sessionSetup``.
    /// Prepared statements and queued ones went with the old connection.
    private func reconnect() throws(PostgreSQLError) {
        forgetPreparedStatements()
        queue.removeAll()
        PQreset(handle)
        guard PQstatus(handle) == CONNECTION_OK else {
            throw PostgreSQLError(sqlState: "08001", message: Self.message(of: handle))
        }
        for statement in sessionSetup {
            try execute(statement)
        }
    }

    /// Calls `body` with the parameters' count and libpq's three parameter
    /// arrays, valid during the call and kept on the stack. Each value is
    /// a copy of the parameter's bytes with a NUL after them: text needs
    /// it, and empty bytes still need a pointer (a null one means SQL
    /// NULL). Lengths and formats only matter for bytes: without any, both
    /// arrays are null, which libpq reads as all text.
    private func withParameters<T>(
        _ parameters: [PGParameter],
        _ body: (Int32, UnsafePointer<UnsafePointer<CChar>?>?, UnsafePointer<Int32>?, UnsafePointer<Int32>?) -> T
    ) -> T {
        var byteCount = 0
        var holdsBytes = false
        for parameter in parameters {
            switch parameter {
            case .null: break
            case .text(let text): byteCount += text.utf8.count + 1
            case .binary(let data): byteCount += data.count + 1; holdsBytes = true
            }
        }
        let count = parameters.count
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: byteCount) { copies in
            withUnsafeTemporaryAllocation(of: UnsafePointer<CChar>?.self, capacity: count) { values in
                withUnsafeTemporaryAllocation(of: Int32.self, capacity: holdsBytes ? 2 * count : 0) { lengthsAndFormats in
                    var end = 0
                    for (index, parameter) in parameters.enumerated() {
                        var length = 0
                        switch parameter {
                        case .null:
                            values.initializeElement(at: index, to: nil)
                        case .text(var text):
                            values.initializeElement(at: index, to: text.withUTF8 { copy(UnsafeRawBufferPointer($0), into: copies, at: &end) })
                        case .binary(let data):
                            values.initializeElement(at: index, to: data.withUnsafeBytes { copy($0, into: copies, at: &end) })
                            length = data.count
                        }
                        if holdsBytes {
                            lengthsAndFormats.initializeElement(at: index, to: Int32(length))
                            lengthsAndFormats.initializeElement(at: count + index, to: parameter.isBinary ? 1 : 0)
                        }
                    }
                    let lengths = holdsBytes ? UnsafePointer(lengthsAndFormats.baseAddress) : nil
                    let formats = holdsBytes ? lengths.map { $0 + count } : nil
                    return body(Int32(count), UnsafePointer(values.baseAddress), lengths, formats)
                }
            }
        }
    }

    /// Copies `source` into `buffer` from `end` on, with a NUL after it, and
    /// moves `end` past both; where the copy starts.
    private func copy(_ source: UnsafeRawBufferPointer, into buffer: UnsafeMutableBufferPointer<CChar>, at end: inout Int)
        -> UnsafePointer<CChar> {
        let start = buffer.baseAddress! + end
        if let bytes = source.baseAddress, source.count > 0 {
            UnsafeMutableRawPointer(start).copyMemory(from: bytes, byteCount: source.count)
        }
        start[source.count] = 0
        end += source.count + 1
        return UnsafePointer(start)
    }

    // MARK: State

    /// Whether a transaction is open, and whether a statement in it failed.
    var transactionState: PQTransactionState {
        switch PQtransactionStatus(handle) {
        case PQTRANS_INTRANS, PQTRANS_ACTIVE: .inTransaction
        case PQTRANS_INERROR: .failed
        default: .idle
        }
    }

    /// True inside a transaction, including one that failed and waits for
    /// its rollback.
    var isInTransaction: Bool {
        let status = PQtransactionStatus(handle)
        return status == PQTRANS_INTRANS || status == PQTRANS_INERROR || status == PQTRANS_ACTIVE
    }

    /// False once the connection to the server is lost.
    var isConnected: Bool {
        PQstatus(handle) == CONNECTION_OK
    }
}

/// A value bound to a parameter: text in PostgreSQL's own text form, or bytes.
enum PGParameter: Sendable, Hashable {
    case null
    case text(String)
    case binary(Data)

    static func integer(_ value: Int64) -> PGParameter { .text(String(value)) }
    static func bool(_ value: Bool) -> PGParameter { .text(value ? "t" : "f") }

    /// Sent as bytes (libpq's binary format), not as text.
    var isBinary: Bool {
        if case .binary = self { return true }
        return false
    }
}

/// The rows a statement returned, read as text: one `PGresult`, cleared in `deinit`.
final class PGRows {
    private let result: OpaquePointer?

    init(_ result: OpaquePointer?) {
        self.result = result
    }

    deinit {
        PQclear(result)
    }

    var count: Int {
        result.map { Int(PQntuples($0)) } ?? 0
    }

    /// The number of rows an INSERT, UPDATE or DELETE changed.
    var changedRows: Int {
        result.flatMap { Int(String(cString: PQcmdTuples($0))) } ?? 0
    }

    func isNull(_ row: Int, _ column: Int) -> Bool {
        PQgetisnull(result, Int32(row), Int32(column)) == 1
    }

    func text(_ row: Int, _ column: Int) -> String {
        String(cString: PQgetvalue(result, Int32(row), Int32(column)))
    }

    func optionalText(_ row: Int, _ column: Int) -> String? {
        isNull(row, column) ? nil : text(row, column)
    }

    func integer(_ row: Int, _ column: Int) -> Int64 {
        Int64(text(row, column)) ?? 0
    }

    func optionalInteger(_ row: Int, _ column: Int) -> Int64? {
        isNull(row, column) ? nil : Int64(text(row, column))
    }

    func bool(_ row: Int, _ column: Int) -> Bool {
        text(row, column) == "t"
    }

    /// A `bytea` column, which the text form spells as `\x` and hexadecimal digits.
    func bytes(_ row: Int, _ column: Int) -> Data {
        var length = 0
        guard let unescaped = PQunescapeBytea(PQgetvalue(result, Int32(row), Int32(column)), &length) else { return Data() }
        defer { PQfreemem(unescaped) }
        return Data(bytes: unescaped, count: length)
    }
}

/// libpq's transaction status, as the backend needs it.
enum PQTransactionState {
    case idle, inTransaction, failed
}
#endif
