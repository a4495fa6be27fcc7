/// Looking after the store file: its integrity and its schema.
extension Store {
    /// Checks the whole store for damage (SQLite's `PRAGMA integrity_check`).
    ///
    /// - Returns: The problems found, one sentence each; empty when the
    ///   store is intact.
    public func checkIntegrity() throws -> [String] {
        try engines.fresh { session in try session.integrityProblems() }
    }

    /// The schema migrations applied to the store at `path` and those this
    /// build would still apply, read without changing the file.
    ///
    /// - Throws: ``StoreError`` if there is no store at `path`, or it is not a
    ///   Cellar store, or a newer Cellar wrote it.
    public static func migrationStatus(at path: String) throws -> MigrationStatus {
        try SQLiteBackend.migrationStatus(at: path)
    }

}

/// Which schema migrations a store file has, and which it lacks.
public struct MigrationStatus: Sendable, Hashable {
    /// One migration of `Migrations/`.
    public struct Migration: Sendable, Hashable {
        /// Its number: the `NNNN` of `NNNN_name.sql`.
        public let version: Int
        /// Its name: the `name` of `NNNN_name.sql`.
        public let name: String
        /// When it was applied (ISO 8601, UTC); nil for a pending one.
        public let appliedAt: String?
    }

    /// The migrations recorded in the file, oldest first.
    public let applied: [Migration]
    /// The migrations this build would apply on the next read-write open.
    public let pending: [Migration]
}
