/// The store file's schema record and integrity.
extension SQLiteBackend {
    func schemaVersion() throws -> Int {
        Int(try statement(Queries.schemaVersion).queryOne { $0.integer(at: 0) } ?? 0)
    }

    /// `PRAGMA integrity_check`, which says `ok` when it finds nothing.
    func integrityProblems() throws -> [String] {
        let report = try statement(Queries.integrityCheck).queryAll { $0.text(at: 0) }
        return report == ["ok"] ? [] : report
    }

    /// What `PRAGMA name` says on this store's own connection, e.g. its
    /// `synchronous` level, which no other connection can see.
    func pragma(_ name: String) throws -> String {
        try connection.cachedStatement("PRAGMA \(name)").queryOne { $0.text(at: 0) } ?? ""
    }

    /// Reads which migrations the file at `path` has, through a read-only
    /// connection of its own that never migrates.
    static func migrationStatus(at path: String, migrator: Migrator = .embedded) throws -> MigrationStatus {
        let backend = try SQLiteBackend(path: path, mode: .inspectSchema, durability: .normal, busyTimeoutMilliseconds: 5000, migrator: migrator)
        do {
            let pending = try migrator.pendingMigrations(of: backend.connection, path: path)
            let applied: [MigrationStatus.Migration] = try backend.statement(Queries.appliedMigrations).queryAll {
                .init(version: Int($0.integer(at: 0)), name: $0.text(at: 1), appliedAt: $0.text(at: 2))
            }
            return MigrationStatus(applied: applied, pending: pending.map { .init(version: $0.version, name: $0.name, appliedAt: nil) })
        } catch {
            throw backend.storeError(for: error)
        }
    }
}

private enum Queries {
    static let schemaVersion = SQLQuery("SELECT max(version) FROM cellar_migrations")
    static let integrityCheck = SQLQuery("PRAGMA integrity_check")
    static let appliedMigrations = SQLQuery("SELECT version, name, applied_at FROM cellar_migrations ORDER BY version")
}
