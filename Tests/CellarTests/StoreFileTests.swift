@testable import Cellar
import CellarExamples
import Foundation
import Testing

/// Opening files: schema migrations, and every kind of file Cellar must refuse
/// while leaving it exactly as it was.
@Suite struct StoreFileTests {
    @Test func theEmbeddedMigrationsAreTheFilesInMigrations() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Migrations")
        let backends = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        #expect(embeddedMigrationFiles.keys.sorted() == backends)
        for backend in backends {
            let backendFolder = folder.appendingPathComponent(backend)
            let names = try FileManager.default.contentsOfDirectory(atPath: backendFolder.path).filter { $0.hasSuffix(".sql") }.sorted()
            #expect(!names.isEmpty)
            let files = try names.map { name in
                (fileName: name, sql: try String(contentsOf: backendFolder.appendingPathComponent(name), encoding: .utf8))
            }
            let embedded = embeddedMigrationFiles[backend] ?? []
            #expect(embedded.map(\.fileName) == files.map(\.fileName))
            #expect(embedded.map(\.sql) == files.map(\.sql))
        }
        #expect(Migrator.embedded.latestVersion == latestSchemaVersion)
    }

    @Test func aNewStoreRecordsEachMigrationOnce() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("store.sqlite")
        _ = try Store(at: path)
        _ = try Store(at: path)
        #expect(try sqliteRows(path, "SELECT version || ' ' || name FROM cellar_migrations") == ["1 initial", "2 snapshots", "3 restore_index", "4 instances", "5 change_numbers"])
        #expect(try sqliteRows(path, "PRAGMA application_id") == ["1128614994"])
    }

    @Test func aMigrationThatFailsRollsBackAloneAndIsNotRecorded() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("store.sqlite")
        let latest = Migrator.embedded.latestVersion
        let migrator = Migrator(files: sqliteMigrationFiles + [
            (fileName: String(format: "%04d_good.sql", latest + 1), sql: "CREATE TABLE extra (x INTEGER);"),
            (fileName: String(format: "%04d_bad.sql", latest + 2), sql: "CREATE TABLE half (x INTEGER); INSERT INTO nowhere VALUES (1);"),
        ])
        #expect(throws: StoreError.self) {
            _ = try SQLiteBackend(path: path, mode: .create, durability: .normal, busyTimeoutMilliseconds: 1000, migrator: migrator)
        }
        #expect(try sqliteRows(path, "SELECT version FROM cellar_migrations") == (1...latest + 1).map(String.init))
        #expect(try sqliteRows(path, "SELECT name FROM sqlite_schema WHERE name IN ('extra', 'half')") == ["extra"])
        // The store still opens with the migrations it knows: 1 and 2 are applied.
        #expect(throws: StoreError.newerSchema(path: path, fileVersion: latest + 1, supportedVersion: latest)) { try Store(at: path) }
    }

    @Test func aVersion2StoreIsMigratedWithItsInstancesIntact() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("store.sqlite")
        let version2 = Migrator(files: Array(sqliteMigrationFiles.prefix(2)))
        _ = try SQLiteBackend(path: path, mode: .create, durability: .normal, busyTimeoutMilliseconds: 1000, migrator: version2)
        // A version 2 store as Cellar wrote it then: the tables' old names.
        try RawDatabase(path: path).execute("""
            INSERT INTO closures (factory, key) VALUES ('counter', 'visits');
            INSERT INTO cell_versions (closure_id, name, seq, type, encoding, value) VALUES (1, 'count', 1, 'Int', 'native', 41);
            INSERT INTO snapshots (name) VALUES ('old');
            INSERT INTO snapshot_closures (snapshot, factory, key, state_version, created_at) VALUES ('old', 'counter', 'visits', 0, 'x');
            """)
        #expect(try sqliteRows(path, "SELECT count(*) FROM sqlite_schema WHERE name = 'closures_by_key'") == ["0"])

        let store = try Store(at: path)
        let next = try store.restore(counterFactory, key: "visits")
        #expect(try next() == 42)
        #expect(try store.snapshots().map(\.instanceCount) == [1])
        #expect(try sqliteRows(path, "SELECT max(version) FROM cellar_migrations") == [String(latestSchemaVersion)])
        #expect(try sqliteRows(path, "SELECT name FROM sqlite_schema WHERE name LIKE '%closure%'") == [])
        #expect(try sqliteRows(path, "SELECT count(*) FROM sqlite_schema WHERE name = 'instances_by_key'") == ["1"])
        #expect(try sqliteRows(path, "SELECT name || '=' || value FROM cells") == ["count=42"])
        // The AUTOINCREMENT counter moved with the table: ids are never reused.
        #expect(try sqliteRows(path, "SELECT seq FROM sqlite_sequence WHERE name = 'instances'") == ["1"])
        #expect(try store.checkIntegrity() == [])
    }

    @Test func aStoreWrittenByANewerCellarIsRefusedAndLeftAlone() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("store.sqlite")
        _ = try Store(at: path).restore(counterFactory, key: "k")()
        try RawDatabase(path: path).execute("INSERT INTO cellar_migrations (version, name) VALUES (99, 'future')")
        let before = storeFiles(at: path)
        let error = StoreError.newerSchema(path: path, fileVersion: 99, supportedVersion: latestSchemaVersion)
        #expect(throws: error) { try Store(at: path) }
        #expect(error.description == "The store '\(path)' was written by a newer Cellar (schema version 99, this one knows up to \(latestSchemaVersion)); upgrade Cellar to use it.")
        #expect(storeFiles(at: path) == before)
    }

    @Test func aForeignSQLiteDatabaseIsRefusedAndLeftAlone() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("other.sqlite")
        try RawDatabase(path: path).execute("CREATE TABLE people (name TEXT); INSERT INTO people VALUES ('Ada');")
        let before = storeFiles(at: path)
        #expect(throws: StoreError.notACellarStore(path: path)) { try Store(at: path) }
        #expect(storeFiles(at: path) == before)
        #expect(try sqliteRows(path, "PRAGMA journal_mode") == ["delete"], "the foreign file was switched to WAL")
    }

    @Test func aFileThatIsNotADatabaseIsRefusedAndLeftAlone() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("notes.txt")
        let text = Data(String(repeating: "These are not the bytes of a SQLite database.\n", count: 100).utf8)
        try text.write(to: URL(fileURLWithPath: path))
        #expect(throws: StoreError.notADatabase(path: path)) { try Store(at: path) }
        #expect(FileManager.default.contents(atPath: path) == text)
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
    }

    @Test func aMissingStoreIsNotCreatedUnlessAsked() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("missing.sqlite")
        #expect(throws: StoreError.missing(path: path)) { try Store(at: path, options: .init(access: .existingOnly)) }
        #expect(throws: StoreError.missing(path: path)) { try Store(at: path, options: .init(access: .readOnly)) }
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func aStoreInAMissingFolderCannotBeOpened() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("no/such/folder/store.sqlite")
        #expect {
            try Store(at: path)
        } throws: { error in
            guard case StoreError.cannotOpen(let failedPath, _) = error else { return false }
            return failedPath == path
        }
    }

    @Test func aReadOnlyStoreReadsButNeverWrites() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("store.sqlite")
        _ = try Store(at: path).restore(counterFactory, key: "k")()
        let before = storeFiles(at: path)
        let store = try Store(at: path, options: .init(access: .readOnly))
        #expect(try store.keys(of: "counter") == ["k"])
        #expect(try store.inspect(InstanceID(factory: "counter", key: "k"))?[cell: "count"]?.value == .integer(1))
        let cell = try store.restore(Factory("counter") { cells in cells.cell("count", default: 0) }, key: "k")
        #expect(try cell.get() == 1)
        #expect(throws: StoreError.readOnly(path: path)) { try cell.update { $0 += 1 } }
        #expect(throws: StoreError.readOnly(path: path)) { try cell.set(5) }
        #expect(throws: StoreError.readOnly(path: path)) { try store.restore(counterFactory, key: "new") }
        #expect(try cell.get() == 1)
        #expect(storeFiles(at: path) == before)
    }

    @Test func aDamagedStoreIsReportedAsDamaged() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("store.sqlite")
        do {
            let store = try Store(at: path)
            for index in 0..<200 {
                _ = try store.restore(counterFactory, key: "key-\(index)")()
            }
        }
        // Overwrite everything after the first page with garbage.
        var bytes = try #require(FileManager.default.contents(atPath: path))
        for index in 4096..<bytes.count { bytes[index] = UInt8(truncatingIfNeeded: index &* 31) }
        try bytes.write(to: URL(fileURLWithPath: path))
        #expect {
            let store = try Store(at: path)
            _ = try store.restore(counterFactory, key: "key-150")
        } throws: { error in
            switch error {
            case StoreError.corrupt, StoreError.notADatabase: true
            default: false
            }
        }
    }

    @Test func severalProcessesCreatingOneStoreAtOnceMigrateItOnce() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("store.sqlite")
        let children = try (0..<4).map { _ in try Child.start([path, "counter", "shared", "25"]) }
        for child in children {
            let result = child.finish()
            #expect(result.status == 0, "\(result.stderr)")
        }
        #expect(try sqliteRows(path, "SELECT count(*) FROM cellar_migrations") == [String(Migrator.embedded.latestVersion)])
        #expect(try sqliteRows(path, "SELECT value FROM cells") == ["100"])
    }
}

/// The SQLite backend's migrations as embedded, in order.
private let sqliteMigrationFiles = embeddedMigrationFiles["SQLite"] ?? []
