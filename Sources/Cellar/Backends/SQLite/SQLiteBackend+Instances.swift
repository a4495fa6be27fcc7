/// The queries on instances and on their cells' versions.
extension SQLiteBackend {
    // MARK: Instances

    func instance(_ id: InstanceID) throws -> InstanceRecord? {
        try statement(Queries.instanceByKey).queryOne([.text(id.factory), .text(id.key)], InstanceRecord.init(row:))
    }

    func instance(rowID: Int64) throws -> InstanceRecord? {
        try statement(Queries.instanceByRowID).queryOne([.integer(rowID)], InstanceRecord.init(row:))
    }

    func instances(of factory: String) throws -> [InstanceRecord] {
        try statement(Queries.instancesOfFactory).queryAll([.text(factory)], InstanceRecord.init(row:))
    }

    func factoryNames() throws -> [String] {
        try statement(Queries.factoryNames).queryAll { $0.text(at: 0) }
    }

    func insertInstance(_ id: InstanceID, stateVersion: Int, recordsHistory: Bool, createdAt: String?) throws -> InstanceRecord {
        try statement(Queries.insertInstance).execute([
            .text(id.factory), .text(id.key), .integer(Int64(stateVersion)), .integer(recordsHistory ? 1 : 0), createdAt.sqliteValue,
        ])
        guard let record = try instance(rowID: connection.lastInsertedRowID) else {
            preconditionFailure("the row just inserted is missing")
        }
        return record
    }

    func setStateVersion(_ version: Int, ofInstance rowID: Int64) throws {
        try statement(Queries.setStateVersion).execute([.integer(Int64(version)), .integer(rowID)])
    }

    func setRecordsHistory(_ recordsHistory: Bool, ofInstance rowID: Int64) throws {
        try statement(Queries.setRecordsHistory).execute([.integer(recordsHistory ? 1 : 0), .integer(rowID)])
    }

    func setHistoryStart(_ sequence: Int64, ofInstance rowID: Int64) throws {
        try statement(Queries.setHistoryStart).execute([.integer(sequence), .integer(rowID)])
    }

    /// Records the deletion as a change first: the instance's versions go with it.
    func deleteInstance(rowID: Int64) throws {
        let number = try nextChangeNumber(touching: rowID)
        try statement(Queries.recordDeletion).execute([.integer(number), .integer(currentMilliseconds()), .integer(rowID)])
        try statement(Queries.deleteInstance).execute([.integer(rowID)])
    }

    func instanceRowIDsWithHistory() throws -> [Int64] {
        try statement(Queries.instancesWithHistory).queryAll { $0.integer(at: 0) }
    }

    // MARK: Cell versions

    func newestVersion(of cell: CellAddress) throws -> HistoryRecord? {
        try statement(Queries.newestVersion).queryOne([.integer(cell.instanceRowID), .text(cell.name)], HistoryRecord.init(row:))
    }

    /// Two seeks per cell, however long the cells' histories.
    func newestVersions(ofInstance rowID: Int64) throws -> [HistoryRecord] {
        try cellNames(ofInstance: rowID).compactMap { try newestVersion(of: CellAddress(instanceRowID: rowID, name: $0)) }
    }

    /// The names of every cell the instance has a version of, sorted: one
    /// seek each, however long the cells' histories.
    func cellNames(ofInstance rowID: Int64) throws -> [String] {
        var names: [String] = []
        while let name = try statement(Queries.nextCellName).queryOne([.integer(rowID), .text(names.last ?? "")], { $0.text(at: 0) }) {
            names.append(name)
        }
        return names
    }

    /// Each cell's newest version is one index probe, where a plain
    /// `max(seq)` would read the instance's whole history.
    func newestSequence(ofInstance rowID: Int64) throws -> Int64 {
        try newestVersions(ofInstance: rowID).map(\.sequence).max() ?? 0
    }

    func insertVersion(of cell: CellAddress, sequence: Int64, record: CellRecord?, operation: String?, at: Int64?) throws {
        let number = try nextChangeNumber(touching: cell.instanceRowID)
        try statement(Queries.insertVersion).execute([
            .integer(cell.instanceRowID), .text(cell.name), .integer(sequence), .text(record?.type ?? ""),
            .text(record?.encoding.rawValue ?? CellEncoding.native.rawValue), record.map { SQLiteValue($0.value) } ?? .null,
            .integer(record == nil ? 1 : 0), operation.sqliteValue, at.map { .integer($0) } ?? .null,
        ], trailing: number)
    }

    func rewriteVersion(of cell: CellAddress, sequence: Int64, value: CellValue, operation: String?) throws -> Bool {
        let number = try nextChangeNumber(touching: cell.instanceRowID)
        try statement(Queries.rewriteVersion).execute([
            .integer(cell.instanceRowID), .text(cell.name), .integer(sequence), SQLiteValue(value), operation.sqliteValue,
            .integer(currentMilliseconds()),
        ], trailing: number)
        return connection.changes == 1
    }

    func rewriteNewestVersion(ofInstance rowID: Int64, _ record: CellRecord, operation: String?) throws -> Int64? {
        let number = try nextChangeNumber(touching: rowID)
        return try statement(Queries.rewriteNewestVersion).queryOne([
            .integer(rowID), .text(record.name), SQLiteValue(record.value), .text(record.type), operation.sqliteValue,
            .integer(currentMilliseconds()),
        ], trailing: number) { $0.integer(at: 0) }
    }

    func eraseCell(_ cell: CellAddress) throws {
        try statement(Queries.eraseCell).execute([.integer(cell.instanceRowID), .text(cell.name)])
    }
}

private enum Queries {
    // The index holds the whole row; SQLite would pick the UNIQUE
    // constraint's, and read the row from the table as well.
    static let instanceByKey = SQLQuery(
        "SELECT \(InstanceRecord.columns) FROM instances INDEXED BY instances_by_key WHERE factory = ? AND key = ?")
    static let instanceByRowID = SQLQuery("SELECT \(InstanceRecord.columns) FROM instances WHERE id = ?")
    static let instancesOfFactory = SQLQuery("SELECT \(InstanceRecord.columns) FROM instances WHERE factory = ? ORDER BY key")
    static let factoryNames = SQLQuery("SELECT DISTINCT factory FROM instances ORDER BY factory")
    static let insertInstance = SQLQuery("""
        INSERT INTO instances (factory, key, state_version, records_history, created_at)
        VALUES (?, ?, ?, ?, coalesce(?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')))
        """)
    static let setStateVersion = SQLQuery("UPDATE instances SET state_version = ? WHERE id = ?")
    static let setRecordsHistory = SQLQuery("UPDATE instances SET records_history = ? WHERE id = ?")
    static let deleteInstance = SQLQuery("DELETE FROM instances WHERE id = ?")
    static let recordDeletion = SQLQuery(
        "INSERT INTO instance_deletions (change, instance_id, factory, key, at) SELECT ?1, id, factory, key, ?2 FROM instances WHERE id = ?3")
    static let setHistoryStart = SQLQuery("UPDATE instances SET history_since_seq = ? WHERE id = ?")
    static let instancesWithHistory = SQLQuery("SELECT id FROM instances WHERE records_history = 1 ORDER BY id")

    static let newestVersion = SQLQuery(
        "SELECT \(HistoryRecord.columns) FROM cell_versions WHERE instance_id = ? AND name = ? ORDER BY seq DESC LIMIT 1")
    static let nextCellName = SQLQuery(
        "SELECT name FROM cell_versions WHERE instance_id = ? AND name > ? ORDER BY name LIMIT 1")
    static let insertVersion = SQLQuery("""
        INSERT INTO cell_versions (instance_id, name, seq, type, encoding, value, removed, operation, at, change)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, coalesce(?, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)), ?)
        """)
    static let rewriteVersion = SQLQuery("""
        UPDATE cell_versions SET value = ?4, operation = ?5, at = ?6, change = ?7 WHERE instance_id = ?1 AND name = ?2 AND seq = ?3
        """)
    static let rewriteNewestVersion = SQLQuery("""
        UPDATE cell_versions SET value = ?3, operation = ?5, at = ?6, change = ?7
        WHERE instance_id = ?1 AND name = ?2 AND type = ?4 AND removed = 0
          AND seq = (SELECT max(seq) FROM cell_versions WHERE instance_id = ?1 AND name = ?2)
        RETURNING seq
        """)
    static let eraseCell = SQLQuery("DELETE FROM cell_versions WHERE instance_id = ? AND name = ?")
}
