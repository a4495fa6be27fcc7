#if PostgreSQL
@testable import Cellar
import CellarExamples
import Foundation
import Testing

/// libpq through `PGConnection`, against the test server (see TestPostgres).
@Suite struct PostgreSQLConnectionTests {
    @Test func valuesRoundTripAndErrorsCarryTheirSQLState() throws {
        guard let url = TestPostgres.url() else { return }
        let connection = try PGConnection(connectionString: url, location: "test")
        let row = try connection.query("SELECT $1::bigint, $2::text, $3::double precision, $4::bytea, $5::text IS NULL, $6::bytea", [
            .integer(.min), .text("é'\"\u{1F600}"), .text(String(0.1 + 0.2)), .binary(Data([0, 255, 1])), .null, .binary(Data()),
        ])
        #expect(row.count == 1)
        #expect(row.integer(0, 0) == .min)
        #expect(row.text(0, 1) == "é'\"\u{1F600}")
        #expect(Double(row.text(0, 2)) == 0.1 + 0.2)
        #expect(row.bytes(0, 3) == Data([0, 255, 1]))
        #expect(row.bool(0, 4))
        #expect(row.bytes(0, 5) == Data())
        #expect(throws: PostgreSQLError.self) { try connection.query("SELECT 1 / $1::int", [.integer(0)]) }
        do {
            try connection.query("SELECT 1 / $1::int", [.integer(0)])
        } catch {
            #expect(error.sqlState == "22012")  // division_by_zero
            #expect(error.sql == "SELECT 1 / $1::int")
            #expect(!error.description.contains("0)"))
        }
        // The statement is prepared once and runs again.
        #expect(try connection.query("SELECT 1 / $1::int", [.integer(1)]).integer(0, 0) == 1)
        try connection.execute("BEGIN")
        #expect(connection.isInTransaction)
        try connection.execute("ROLLBACK")
        #expect(!connection.isInTransaction)
    }

    /// A statement is prepared once per connection: a literal is known by
    /// where its text lies in the program, SQL built at run time by its
    /// text. Preparing counts as a round trip of its own.
    @Test func eachStatementIsPreparedOncePerConnection() throws {
        guard let url = TestPostgres.url() else { return }
        let connection = try PGConnection(connectionString: url, location: "test")
        func roundTrips(_ statement: PGStatement, adding value: Int64) throws -> Int {
            let before = connection.roundTrips
            #expect(try connection.query(statement, [.integer(value)]).integer(0, 0) == value + 1)
            return connection.roundTrips - before
        }
        let one = 1
        for value: Int64 in 0..<3 {
            #expect(try roundTrips("SELECT $1::bigint + 1", adding: value) == (value == 0 ? 2 : 1))
            // The same text, built: known by its text, so prepared once too.
            #expect(try roundTrips("SELECT $1::bigint + \(one)", adding: value) == (value == 0 ? 2 : 1))
        }
        let built = "SELECT 1"
        #expect(PGStatement(built).cacheKey == ("SELECT \(one)" as PGStatement).cacheKey)
        #expect(("SELECT 1" as PGStatement).sql == "SELECT 1")
    }

    /// The round trips the backend's design promises (see PostgreSQLBackend):
    /// counted on the connection, after a first run prepared the statements.
    @Test func eachOperationTakesItsRoundTrips() throws {
        guard let url = TestPostgres.url() else { return }
        let store = try Store(url: url + "&schema=round_trips_" + UUID().uuidString.prefix(8).lowercased())
        let connection = try #require(store.engines.primary.backend as? PostgreSQLBackend).connection
        func roundTrips(_ operation: () throws -> Void) rethrows -> Int {
            try operation()  // prepares what it needs
            let before = connection.roundTrips
            try operation()
            return connection.roundTrips - before
        }
        let account = try store.restore(bankAccountFactory(initialBalance: 0), key: "a")
        let quiet = Factory("quiet", recordsHistory: false) { cells in cells.cell("n", default: 0) }
        let n = try store.restore(quiet, key: "q")
        // BEGIN, the lock and the read; then the write and COMMIT.
        #expect(try roundTrips { _ = try account.deposit(1) } == 2)
        #expect(try roundTrips { try n.update { $0 += 1 } } == 2)
        #expect(try roundTrips { try n.set(5) } == 2)
        // One SELECT.
        #expect(try roundTrips { _ = try n.get() } == 1)
        // BEGIN, the instance locked by its key and its cells read; then COMMIT.
        #expect(try roundTrips { _ = try store.restore(bankAccountFactory(initialBalance: 0), key: "a") } == 2)
        // BEGIN with the first read, the second read, COMMIT.
        #expect(try roundTrips { _ = try store.read { (try account.balance(), try n.get()) } } == 3)
        // A transaction of two updates: one round trip per instance locked, one to commit.
        let other = try store.restore(bankAccountFactory(initialBalance: 0), key: "b")
        #expect(try roundTrips { try store.transaction { _ = try account.deposit(1); _ = try other.deposit(1) } } == 3)
    }

    /// A password in the URL appears in no message, no `--json` error and
    /// no store's path.
    @Test func passwordsStayOutOfMessages() throws {
        guard let url = TestPostgres.url() else { return }
        let host = try #require(url.firstRange(of: "?host=")).upperBound
        let hostValue = url[host...].prefix { $0 != "&" }
        let withPassword = "postgresql://nobody:s3cret-pw@/postgres?host=\(hostValue)&schema=x"
        let error = #expect(throws: StoreError.self) { try Store(url: withPassword) }
        #expect(error.map { !$0.description.contains("s3cret-pw") && $0.description.contains("nobody") } == true, "\(String(describing: error))")
        let sandbox = try ToolSandbox()
        let result = try sandbox.run("acct", "balance", "main", "--store", withPassword, "--json")
        #expect(result.status == 74)
        #expect(!result.stderr.contains("s3cret-pw") && result.stderr.contains("postgresql://nobody@"), "\(result.stderr)")
        let empty = #expect(throws: StoreError.self) { try Store(url: "postgresql://me:s3cret-pw@db/app?schema=") }
        #expect(empty.map { !$0.description.contains("s3cret-pw") } == true)
        // How a store names itself: no password, wherever it was given.
        #expect(try PostgreSQLURL("postgresql://me:pw@db:5432/app?password=pw2&sslmode=require&schema=bank").redacted
            == "postgresql://me@db:5432/app?sslmode=require&schema=bank")
    }

    /// Which failures run a transaction again: a deadlock, a serialization
    /// failure and a lock wait given up on purpose, as they come from libpq
    /// or as a nested call reports them; not a lock wait that outlasted the
    /// busy timeout, nor any other error.
    @Test func deadlocksAndSerializationFailuresAreRetriedOthersNot() throws {
        guard let location = try Backend.postgresql.newLocation() else { return }
        let backend = try #require(try location.open().engines.primary.backend as? PostgreSQLBackend)
        for state in ["40P01", "40001"] {
            let error = PostgreSQLError(sqlState: state, message: "conflict")
            #expect(backend.isRetryable(error) && backend.isRetryable(backend.storeError(for: error)))
        }
        let gaveUp = PostgreSQLError(sqlState: "55P03", message: "lock timeout", gaveUpLockWait: true)
        #expect(backend.isRetryable(backend.storeError(for: gaveUp)))
        let busy = PostgreSQLError(sqlState: "55P03", message: "lock timeout")
        #expect(!backend.isRetryable(busy))
        #expect(backend.storeError(for: busy) as? StoreError == .busy(path: backend.location, timeoutMilliseconds: 5_000))
        #expect(!backend.isRetryable(PostgreSQLError(sqlState: "23505", message: "duplicate")))
    }

    @Test func aFailedConnectionSaysWhyWithoutThePassword() throws {
        guard let url = TestPostgres.url() else { return }
        let wrong = url.replacingOccurrences(of: "user=cellar", with: "user=nobody&password=s3cret-pw")
        #expect {
            _ = try PGConnection(connectionString: wrong, location: "test")
        } throws: { error in
            guard let error = error as? PostgreSQLError else { return false }
            return error.sqlState == "08001" && error.message.contains("nobody") && !error.description.contains("s3cret-pw")
        }
    }
}
#endif
