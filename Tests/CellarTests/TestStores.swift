@testable import Cellar
import Foundation
import Testing

/// The backends a behaviour test runs against: `@Test(arguments: Backend.all)`.
enum Backend: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite
    case postgresql

    /// Every backend this build has: PostgreSQL only with its trait on.
    static var all: [Backend] {
        #if PostgreSQL
        allCases
        #else
        [.sqlite]
        #endif
    }

    var testDescription: String { rawValue }

    /// The schema version an up-to-date store of this backend has: the
    /// number of its files in `Migrations/`.
    var latestSchemaVersion: Int {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(self == .sqlite ? "Migrations/SQLite" : "Migrations/PostgreSQL")
        return ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.hasSuffix(".sql") }.count
    }

    /// A fresh, empty store location of this backend: a file in a new
    /// temporary folder, or a schema of its own on the test server. Nil
    /// (with the reason recorded when PostgreSQL is required) when the
    /// backend cannot run here.
    func newLocation(sourceLocation: SourceLocation = #_sourceLocation) throws -> StoreLocationForTest? {
        switch self {
        case .sqlite:
            let directory = try TemporaryDirectory()
            return StoreLocationForTest(backend: self, value: directory.path("store.sqlite"), directory: directory)
        case .postgresql:
            guard let server = TestPostgres.url(sourceLocation: sourceLocation) else { return nil }
            let schema = "test_" + UUID().uuidString.prefix(12).lowercased()
            let separator = server.contains("?") ? "&" : "?"
            return StoreLocationForTest(backend: self, value: server + separator + "schema=" + schema, directory: try TemporaryDirectory())
        }
    }
}

/// Where a test's store is: a path or a URL, opened the same way.
struct StoreLocationForTest: Sendable {
    let backend: Backend
    /// The path or URL, as `CELLAR_STORE` or `Store.open` takes it.
    let value: String
    /// A temporary folder of the test's own, for anything else it writes.
    let directory: TemporaryDirectory

    func open(_ options: Store.Options = Store.Options()) throws -> Store {
        try Store.open(value, options: options)
    }

    /// The first column of each row `sql` returns, as text, read past
    /// Cellar: with the sqlite3 C API, or with libpq in the store's schema.
    func rows(_ sql: String) throws -> [String] {
        switch backend {
        case .sqlite:
            return try sqliteRows(value, sql)
        case .postgresql:
            #if PostgreSQL
            let result = try postgreSQLConnection().query(PGStatement(sql))
            return (0..<result.count).map { result.optionalText($0, 0) ?? "NULL" }
            #else
            preconditionFailure("a PostgreSQL location in a build without PostgreSQL")
            #endif
        }
    }

    /// Runs `sql`, a change made past Cellar (to damage a value, say).
    func execute(_ sql: String) throws {
        switch backend {
        case .sqlite:
            try RawDatabase(path: value).execute(sql)
        case .postgresql:
            #if PostgreSQL
            try postgreSQLConnection().execute(sql)
            #endif
        }
    }

    #if PostgreSQL
    /// A connection of its own to the store's server, in the store's schema.
    func postgreSQLConnection() throws -> PGConnection {
        let url = try PostgreSQLURL(value)
        let connection = try PGConnection(connectionString: url.connectionString, location: url.redacted)
        try connection.execute("SET search_path = " + PostgreSQLBackend.quotedIdentifier(url.schema))
        return connection
    }
    #endif

    /// A cell version's value as text, in this backend's schema: SQLite
    /// keeps it in one `value` column, PostgreSQL in a column per kind.
    var valueText: String {
        switch backend {
        case .sqlite: "value"
        case .postgresql: "coalesce(integer_value::text, real_value::text, text_value, json_value::text)"
        }
    }

    /// The column that holds a Codable (JSON) cell's value.
    var jsonColumn: String {
        switch backend {
        case .sqlite: "value"
        case .postgresql: "json_value"
        }
    }

    /// Everything the store holds, to prove that a refused operation left
    /// it exactly as it was: the files' bytes (see `storeFiles(at:)`), or
    /// every row of every table in the store's schema.
    func storedState() throws -> [String: Data] {
        switch backend {
        case .sqlite:
            return storeFiles(at: value)
        case .postgresql:
            var state: [String: Data] = [:]
            for table in ["cellar_migrations", "instances", "cell_versions", "snapshots", "snapshot_instances", "snapshot_cells"] {
                state[table] = Data(try rows("SELECT t::text FROM \(table) t ORDER BY 1").joined(separator: "\n").utf8)
            }
            return state
        }
    }
}
