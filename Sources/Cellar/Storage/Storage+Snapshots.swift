/// The snapshot tables: full copies of the store's instances and cells.

/// A snapshot's row.
struct SnapshotRecord: Sendable, Equatable {
    let name: String
    let createdAt: String
    let automatic: Bool
    let instanceCount: Int
}

/// An instance as a snapshot holds it.
struct SnapshotClosureRecord: Sendable, Equatable {
    let factory: String
    let key: String
    let stateVersion: Int
    let createdAt: String
}

extension Storage {
    /// Copies every instance and cell into a new snapshot; call it inside a
    /// transaction, so the copy is of one moment.
    func insertSnapshot(named name: String, automatic: Bool) throws {
        try withLock {
            try statement("INSERT INTO snapshots (name, automatic) VALUES (?, ?)").execute([.text(name), .integer(automatic ? 1 : 0)])
            try statement("""
                INSERT INTO snapshot_closures (snapshot, factory, key, state_version, created_at)
                SELECT ?, factory, key, state_version, created_at FROM closures
                """).execute([.text(name)])
            try statement("""
                INSERT INTO snapshot_cells (snapshot, factory, key, name, type, encoding, value)
                SELECT ?, closures.factory, closures.key, cells.name, cells.type, cells.encoding, cells.value
                FROM cells JOIN closures ON closures.id = cells.closure_id
                """).execute([.text(name)])
        }
    }

    func snapshotRecord(named name: String) throws -> SnapshotRecord? {
        try withLock {
            try statement("""
                SELECT name, created_at, automatic, (SELECT count(*) FROM snapshot_closures WHERE snapshot = name)
                FROM snapshots WHERE name = ?
                """).queryOne([.text(name)], Self.snapshotRecord)
        }
    }

    /// Every snapshot, oldest first.
    func snapshotRecords() throws -> [SnapshotRecord] {
        try withLock {
            try statement("""
                SELECT name, created_at, automatic, (SELECT count(*) FROM snapshot_closures WHERE snapshot = name)
                FROM snapshots ORDER BY created_at, name
                """).queryAll([], Self.snapshotRecord)
        }
    }

    private static func snapshotRecord(_ row: Statement) -> SnapshotRecord {
        SnapshotRecord(name: row.text(at: 0), createdAt: row.text(at: 1), automatic: row.integer(at: 2) != 0,
                       instanceCount: Int(row.integer(at: 3)))
    }

    /// The instances of snapshot `name` of `factory` (all when nil), sorted.
    func snapshotClosures(_ name: String, factory: String?) throws -> [SnapshotClosureRecord] {
        try withLock {
            try statement("""
                SELECT factory, key, state_version, created_at FROM snapshot_closures
                WHERE snapshot = ?1 AND (?2 IS NULL OR factory = ?2) ORDER BY factory, key
                """).queryAll([.text(name), factory.map { .text($0) } ?? .null]) {
                SnapshotClosureRecord(factory: $0.text(at: 0), key: $0.text(at: 1), stateVersion: Int($0.integer(at: 2)),
                                      createdAt: $0.text(at: 3))
            }
        }
    }

    func snapshotCells(_ name: String, factory: String, key: String) throws -> [CellRecord] {
        try withLock {
            try statement("""
                SELECT name, type, encoding, value FROM snapshot_cells
                WHERE snapshot = ? AND factory = ? AND key = ? ORDER BY name
                """).queryAll([.text(name), .text(factory), .text(key)], Self.cellRecord)
        }
    }

    /// Every instance of the store of `factory` (all when nil).
    func closureRecords(factory: String?) throws -> [ClosureRecord] {
        guard let factory else {
            return try factoryNames().flatMap { try closureRecords(factory: $0) }
        }
        return try closureRecords(factory: factory)
    }

    /// Deletes a snapshot; false if there was none.
    func deleteSnapshot(named name: String) throws -> Bool {
        try withLock {
            try statement("DELETE FROM snapshots WHERE name = ?").execute([.text(name)])
            return changes > 0
        }
    }

    /// Writes a consistent copy of the whole file to `path`, which must not
    /// exist (`VACUUM INTO`, which reads in one transaction).
    func vacuum(into path: String) throws {
        try withLock {
            try statement("VACUUM INTO ?").execute([.text(path)])
        }
    }
}
