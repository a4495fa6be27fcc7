@testable import Cellar
import CSQLite
import Foundation
import Testing

@Suite struct SQLiteLayerTests {
    @Test func anErrorNamesItsCodeAndSQLButHidesBoundValues() throws {
        let connection = try Connection(path: ":memory:", flags: SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
        try connection.execute("CREATE TABLE secrets (owner TEXT PRIMARY KEY, balance INTEGER); INSERT INTO secrets VALUES ('ada', 1);")
        let insert = try connection.cachedStatement("INSERT INTO secrets VALUES (?, ?)")
        #expect {
            try insert.execute([.text("ada"), .integer(987_654_321)])
        } throws: { error in
            guard let error = error as? SQLiteError else { return false }
            return SQLiteError.ResultCode.constraint ~= error.code
                && error.code.rawValue != SQLITE_CONSTRAINT  // the extended code: SQLITE_CONSTRAINT_PRIMARYKEY
                && error.sql == "INSERT INTO secrets VALUES (?, ?)"
                && error.arguments == [.text("ada"), .integer(987_654_321)]
                && error.description.contains("UNIQUE constraint failed: secrets.owner")
                && !error.description.contains("987654321")
                && !error.description.contains("ada'")
        }
        // The statement was reset: it runs again with other values.
        try insert.execute([.text("bob"), .integer(2)])
        #expect(try connection.cachedStatement("SELECT count(*) FROM secrets").queryOne { $0.integer(at: 0) } == 2)
    }

    @Test func textBoundAgainIsStoredByteForByte() throws {
        let connection = try Connection(path: ":memory:", flags: SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
        try connection.execute("CREATE TABLE t (n INTEGER, x TEXT)")
        let insert = try connection.cachedStatement("INSERT INTO t VALUES (?, ?)")
        // The same text is left bound; an equal-looking text with other bytes is not.
        for (number, text) in [(1, "é"), (2, "é"), (3, "e\u{301}"), (4, "é"), (5, "")] {
            try insert.execute([.integer(Int64(number)), .text(text)])
        }
        try insert.execute([.integer(6), .null])
        try insert.execute([.integer(7), .text("é")])
        let stored = try connection.cachedStatement("SELECT hex(x) FROM t ORDER BY n").queryAll { $0.value(at: 0) }
        #expect(stored == [.text("C3A9"), .text("C3A9"), .text("65CC81"), .text("C3A9"), .text(""), .text(""), .text("C3A9")])
        let nulls = try connection.cachedStatement("SELECT count(*) FROM t WHERE x IS NULL").queryOne { $0.integer(at: 0) }
        #expect(nulls == 1)
    }

    @Test func cachedStatementsArePreparedOnce() throws {
        let connection = try Connection(path: ":memory:", flags: SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
        let first = try connection.cachedStatement("SELECT 1")
        #expect(try connection.cachedStatement("SELECT 1") === first)
        connection.evictCachedStatement("SELECT 1")
        #expect(try connection.cachedStatement("SELECT 1") !== first)
    }

    @Test func executeRunsEveryStatementAndReportsTheOneThatFailed() throws {
        let connection = try Connection(path: ":memory:", flags: SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
        #expect {
            try connection.execute("CREATE TABLE t (x); -- a comment\nINSERT INTO t VALUES (1); INSERT INTO missing VALUES (2);")
        } throws: { error in
            (error as? SQLiteError)?.sql == "INSERT INTO missing VALUES (2);"
        }
        #expect(try connection.cachedStatement("SELECT x FROM t").queryAll { $0.integer(at: 0) } == [1])
    }

    @Test func valuesOfEveryStorageClassRoundTrip() throws {
        let connection = try Connection(path: ":memory:", flags: SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
        let values: [SQLiteValue] = [.null, .integer(-5), .real(0.25), .text("é'\"\0x"), .blob(Data([0, 255])), .blob(Data())]
        for value in values {
            let read = try connection.cachedStatement("SELECT ?").queryOne([value]) { $0.value(at: 0) }
            #expect(read == value)
        }
    }
}

extension SQLiteLayerTests {
    /// SQLite keeps bindings across runs: a list one value short would run
    /// with the last run's value in its place. Every run binds them all.
    @Test func bindingTheWrongNumberOfValuesThrows() throws {
        let connection = try Connection(path: ":memory:", flags: SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
        try connection.execute("CREATE TABLE t (a, b)")
        let insert = try connection.cachedStatement("INSERT INTO t VALUES (?, ?)")
        try insert.execute([.integer(1), .integer(2)])
        for values: [SQLiteValue] in [[.integer(3)], [], [.integer(3), .integer(4), .integer(5)]] {
            #expect {
                try insert.execute(values)
            } throws: { error in
                guard let error = error as? SQLiteError else { return false }
                return error.code == .range && error.message == "the statement takes 2 values, \(values.count) were given"
            }
        }
        #expect(try connection.cachedStatement("SELECT count(*) FROM t").queryOne { $0.integer(at: 0) } == 1)
        #expect(try connection.cachedStatement("SELECT 1").parameterCount == 0)
        #expect(try connection.cachedStatement("SELECT ?3").parameterCount == 3)
    }
}
