internal import CSQLite

/// The queries on snapshots (full copies of the instances and cells, kept in
/// the same file) and the backup (`VACUUM INTO`).
extension SQLiteBackend {
    func insertSnapshot(named name: String, automatic: Bool) throws {
        try statement(Queries.insertSnapshot).execute([.text(name), .integer(automatic ? 1 : 0)])
        try statement(Queries.copyInstances).execute([.text(name)])
        try statement(Queries.copyCells).execute([.text(name)])
    }

    func insertSnapshot(_ snapshot: SnapshotRecord, holding instances: [(instance: SnapshotInstanceRecord, cells: [CellRecord])]) throws {
        try statement(Queries.insertSnapshotCopy).execute([.text(snapshot.name), .text(snapshot.createdAt), .integer(snapshot.automatic ? 1 : 0)])
        for (instance, cells) in instances {
            try statement(Queries.insertSnapshotInstance).execute([
                .text(snapshot.name), .text(instance.id.factory), .text(instance.id.key), .integer(Int64(instance.stateVersion)),
                .text(instance.createdAt),
            ])
            for cell in cells {
                try statement(Queries.insertSnapshotCell).execute([
                    .text(snapshot.name), .text(instance.id.factory), .text(instance.id.key), .text(cell.name), .text(cell.type),
                    .text(cell.encoding.rawValue), SQLiteValue(cell.value),
                ])
            }
        }
    }

    func snapshot(named name: String) throws -> SnapshotRecord? {
        try statement(Queries.snapshotByName).queryOne([.text(name)], SnapshotRecord.init(row:))
    }

    func snapshots() throws -> [SnapshotRecord] {
        try statement(Queries.snapshots).queryAll([], SnapshotRecord.init(row:))
    }

    func snapshotInstances(_ name: String, factory: String?) throws -> [SnapshotInstanceRecord] {
        try statement(Queries.snapshotInstances).queryAll([.text(name), factory.sqliteValue], SnapshotInstanceRecord.init(row:))
    }

    func snapshotCells(_ name: String, of id: InstanceID) throws -> [CellRecord] {
        try statement(Queries.snapshotCells).queryAll([.text(name), .text(id.factory), .text(id.key)], CellRecord.init(row:))
    }

    func deleteSnapshot(named name: String) throws -> Bool {
        try statement(Queries.deleteSnapshot).execute([.text(name)])
        return connection.changes > 0
    }

    /// `VACUUM INTO`, which reads the whole file in one read transaction.
    func backup(to path: String) throws -> Bool {
        try statement(Queries.vacuumInto).execute([.text(path)])
        return true
    }
}

private enum Queries {
    static let insertSnapshot = SQLQuery("INSERT INTO snapshots (name, automatic) VALUES (?, ?)")
    static let copyInstances = SQLQuery("""
        INSERT INTO snapshot_instances (snapshot, factory, key, state_version, created_at)
        SELECT ?, factory, key, state_version, created_at FROM instances
        """)
    static let copyCells = SQLQuery("""
        INSERT INTO snapshot_cells (snapshot, factory, key, name, type, encoding, value)
        SELECT ?, instances.factory, instances.key, cells.name, cells.type, cells.encoding, cells.value
        FROM cells JOIN instances ON instances.id = cells.instance_id
        """)
    static let insertSnapshotCopy = SQLQuery("INSERT INTO snapshots (name, created_at, automatic) VALUES (?, ?, ?)")
    static let insertSnapshotInstance = SQLQuery(
        "INSERT INTO snapshot_instances (snapshot, factory, key, state_version, created_at) VALUES (?, ?, ?, ?, ?)")
    static let insertSnapshotCell = SQLQuery(
        "INSERT INTO snapshot_cells (snapshot, factory, key, name, type, encoding, value) VALUES (?, ?, ?, ?, ?, ?, ?)")
    static let snapshotByName = SQLQuery("SELECT \(SnapshotRecord.columns) FROM snapshots WHERE name = ?")
    // In the order they were taken: several can share a millisecond, and a
    // name freed by a prune can be taken again.
    static let snapshots = SQLQuery("SELECT \(SnapshotRecord.columns) FROM snapshots ORDER BY created_at, rowid")
    static let snapshotInstances = SQLQuery("""
        SELECT \(SnapshotInstanceRecord.columns) FROM snapshot_instances
        WHERE snapshot = ?1 AND (?2 IS NULL OR factory = ?2) ORDER BY factory, key
        """)
    static let snapshotCells = SQLQuery(
        "SELECT \(CellRecord.columns) FROM snapshot_cells WHERE snapshot = ? AND factory = ? AND key = ? ORDER BY name")
    static let deleteSnapshot = SQLQuery("DELETE FROM snapshots WHERE name = ?")
    static let vacuumInto = SQLQuery("VACUUM INTO ?")
}
