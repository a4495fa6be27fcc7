#if PostgreSQL
@testable import Cellar
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
