#if canImport(FoundationEssentials)
internal import FoundationEssentials
#else
internal import Foundation
#endif

/// One schema migration: a file `NNNN_name.sql` of `Migrations/SQLite/`.
struct Migration: Sendable, Equatable {
    let version: Int
    let name: String
    let sql: String

    /// Reads `0002_history.sql` as version 2 named `history`; nil for a name of another shape.
    init?(fileName: String, sql: String) {
        guard fileName.hasSuffix(".sql") else { return nil }
        let stem = fileName.dropLast(4)
        guard let underscore = stem.firstIndex(of: "_"),
              let version = Int(stem[..<underscore]), version > 0
        else { return nil }
        self.version = version
        self.name = String(stem[stem.index(after: underscore)...])
        self.sql = sql
    }
}

/// Creates and upgrades the schema of a store file from the SQL files in
/// `Migrations/SQLite/`, embedded into the library at build time.
///
/// Each migration runs once, in its own `BEGIN IMMEDIATE` transaction, together
/// with the row in `cellar_migrations` that records it: a crash leaves a
/// migration either wholly applied and recorded, or not at all. A file that
/// records a migration this build does not know was written by a newer Cellar
/// and is refused rather than guessed at.
struct Migrator: Sendable {
    /// `'CELR'`: the `application_id` that marks a SQLite file as a Cellar store.
    static let applicationID: Int64 = 0x4345_4C52

    let migrations: [Migration]

    /// The migrations of this build, as embedded from `Migrations/SQLite/`.
    static let embedded = Migrator(files: embeddedMigrationFiles["SQLite"] ?? [])

    init(files: [(fileName: String, sql: String)]) {
        let migrations = files.map { file in
            guard let migration = Migration(fileName: file.fileName, sql: file.sql) else {
                preconditionFailure("Migrations/SQLite/\(file.fileName) is not named NNNN_name.sql")
            }
            return migration
        }
        for (offset, migration) in migrations.enumerated() where migration.version != offset + 1 {
            preconditionFailure("Migrations/SQLite/ must be numbered 1, 2, 3... without gaps; found \(migration.version) at position \(offset + 1)")
        }
        self.migrations = migrations
    }

    /// The schema version this build creates: the number of the last migration.
    var latestVersion: Int {
        migrations.last?.version ?? 0
    }

    /// What a file holds, as far as Cellar is concerned.
    enum FileKind: Equatable {
        /// A new, empty database: ready to become a store.
        case empty
        /// A Cellar store with these migrations applied.
        case store(appliedVersions: [Int])
        /// A SQLite database that belongs to something else.
        case foreign
    }

    /// Reads what `connection`'s file is, without writing to it.
    func fileKind(of connection: Connection) throws -> FileKind {
        // One statement, so one read transaction: read separately, another
        // process could create the schema between the reads and make a new
        // store look foreign.
        let header = try connection.cachedStatement("""
            SELECT (SELECT application_id FROM pragma_application_id()),
                   EXISTS (SELECT 1 FROM sqlite_schema),
                   EXISTS (SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'cellar_migrations')
            """).queryOne { (applicationID: $0.integer(at: 0), hasTables: $0.integer(at: 1) == 1, hasRecord: $0.integer(at: 2) == 1) }
        guard let header else { return .foreign }
        switch header.applicationID {
        case 0 where !header.hasTables:
            return .empty
        case Self.applicationID:
            guard header.hasRecord else { return .foreign }
            let versions = try connection.cachedStatement("SELECT version FROM cellar_migrations ORDER BY version")
                .queryAll { Int($0.integer(at: 0)) }
            return .store(appliedVersions: versions)
        default:
            return .foreign
        }
    }

    /// The migrations `connection`'s file still needs; throws when the file
    /// is not a Cellar store or was written by a newer Cellar.
    func pendingMigrations(of connection: Connection, path: String) throws -> [Migration] {
        switch try fileKind(of: connection) {
        case .empty:
            return migrations
        case .foreign:
            throw StoreError.notACellarStore(path: path)
        case .store(let applied):
            if let newest = applied.last, newest > latestVersion {
                throw StoreError.newerSchema(path: path, fileVersion: newest, supportedVersion: latestVersion)
            }
            let appliedSet = Set(applied)
            return migrations.filter { !appliedSet.contains($0.version) }
        }
    }

    /// Applies every pending migration, each in its own immediate transaction.
    ///
    /// Several processes may open a new file at once: each transaction looks
    /// again at what is applied after it holds the write lock, so every
    /// migration still runs exactly once.
    func migrate(_ connection: Connection, path: String) throws {
        while true {
            try connection.execute("BEGIN IMMEDIATE")
            do {
                guard let next = try pendingMigrations(of: connection, path: path).first else {
                    try connection.execute("COMMIT")
                    return
                }
                try connection.execute(next.sql)
                try connection.cachedStatement("INSERT INTO cellar_migrations (version, name) VALUES (?, ?)")
                    .execute([.integer(Int64(next.version)), .text(next.name)])
                try connection.execute("COMMIT")
            } catch {
                if !connection.isAutocommit {
                    try? connection.execute("ROLLBACK")
                }
                throw error
            }
        }
    }
}
