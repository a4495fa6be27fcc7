/// The rows Cellar keeps: closure instances and their cells. Every query
/// Cellar runs on them is here, behind methods that take the lock.

/// A closure instance's row.
struct ClosureRecord: Sendable, Equatable {
    let id: Int64
    let factory: String
    let key: String
    let stateVersion: Int
    let createdAt: String
    /// Whether changes to its cells are written to the history.
    let recordsHistory: Bool
    /// History rows before this sequence number were pruned (but for each
    /// cell's last one): rewinding further back is not possible.
    let historySinceSequence: Int64
}

/// A cell's stored row, less its address.
struct CellRecord: Sendable, Hashable {
    let name: String
    let type: String
    let encoding: CellEncoding
    let value: SQLiteValue
}

/// How a cell's value is kept in the `value` column.
enum CellEncoding: String, Sendable {
    /// As the SQLite value itself: integer, real, text, blob or null.
    case native
    /// As JSON text.
    case json
}

extension Storage {
    // MARK: Closure instances

    func closureRecord(factory: String, key: String) throws -> ClosureRecord? {
        try withLock {
            try statement("""
                SELECT id, factory, key, state_version, created_at, records_history, history_since_seq
                FROM closures WHERE factory = ? AND key = ?
                """).queryOne([.text(factory), .text(key)], Self.closureRecord)
        }
    }

    func closureRecord(id: Int64) throws -> ClosureRecord? {
        try withLock {
            try statement("""
                SELECT id, factory, key, state_version, created_at, records_history, history_since_seq
                FROM closures WHERE id = ?
                """).queryOne([.integer(id)], Self.closureRecord)
        }
    }

    func closureRecords(factory: String) throws -> [ClosureRecord] {
        try withLock {
            try statement("""
                SELECT id, factory, key, state_version, created_at, records_history, history_since_seq
                FROM closures WHERE factory = ? ORDER BY key
                """).queryAll([.text(factory)], Self.closureRecord)
        }
    }

    private static func closureRecord(_ row: Statement) -> ClosureRecord {
        ClosureRecord(id: row.integer(at: 0), factory: row.text(at: 1), key: row.text(at: 2),
                      stateVersion: Int(row.integer(at: 3)), createdAt: row.text(at: 4),
                      recordsHistory: row.integer(at: 5) != 0, historySinceSequence: row.integer(at: 6))
    }

    /// Inserts a closure instance, created now or at `createdAt` (an import
    /// or a snapshot), and returns its row.
    func insertClosure(factory: String, key: String, stateVersion: Int, recordsHistory: Bool,
                       createdAt: String? = nil) throws -> ClosureRecord {
        try withLock {
            try statement("""
                INSERT INTO closures (factory, key, state_version, records_history, created_at)
                VALUES (?, ?, ?, ?, coalesce(?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')))
                """).execute([.text(factory), .text(key), .integer(Int64(stateVersion)), .integer(recordsHistory ? 1 : 0),
                              createdAt.map { .text($0) } ?? .null])
            guard let record = try closureRecord(id: lastInsertedRowID) else {
                preconditionFailure("the row just inserted is missing")
            }
            return record
        }
    }

    func setStateVersion(_ version: Int, ofClosure id: Int64) throws {
        try withLock {
            try statement("UPDATE closures SET state_version = ? WHERE id = ?").execute([.integer(Int64(version)), .integer(id)])
        }
    }

    func setRecordsHistory(_ recordsHistory: Bool, ofClosure id: Int64) throws {
        try withLock {
            try statement("UPDATE closures SET records_history = ? WHERE id = ?")
                .execute([.integer(recordsHistory ? 1 : 0), .integer(id)])
        }
    }

    /// Deletes an instance and its cells, recording each cell's removal;
    /// false if there was no such instance.
    func deleteClosure(factory: String, key: String) throws -> Bool {
        try withLock {
            guard let closure = try closureRecord(factory: factory, key: key) else { return false }
            try deleteClosure(closure)
            return true
        }
    }

    func deleteClosure(_ closure: ClosureRecord) throws {
        try withLock {
            if closure.recordsHistory {
                for cell in try cellRecords(closureID: closure.id) {
                    try appendHistory(closureID: closure.id, name: cell.name, record: nil, defaultOperation: "delete")
                }
            }
            try statement("DELETE FROM closures WHERE id = ?").execute([.integer(closure.id)])
            invalidateCachedValues()
        }
    }

    func factoryNames() throws -> [String] {
        try withLock {
            try statement("SELECT DISTINCT factory FROM closures ORDER BY factory").queryAll { $0.text(at: 0) }
        }
    }

    // MARK: Cells

    func cellRecord(closureID: Int64, name: String) throws -> CellRecord? {
        try withLock {
            try statement("SELECT name, type, encoding, value FROM cells WHERE closure_id = ? AND name = ?")
                .queryOne([.integer(closureID), .text(name)], Self.cellRecord)
        }
    }

    func cellRecords(closureID: Int64) throws -> [CellRecord] {
        try withLock {
            try statement("SELECT name, type, encoding, value FROM cells WHERE closure_id = ? ORDER BY name")
                .queryAll([.integer(closureID)], Self.cellRecord)
        }
    }

    static func cellRecord(_ row: Statement) -> CellRecord {
        CellRecord(name: row.text(at: 0), type: row.text(at: 1),
                   encoding: CellEncoding(rawValue: row.text(at: 2)) ?? .native, value: row.value(at: 3))
    }

    // Every change below is written to the history in the same transaction
    // when `recordsHistory` is true: the caller knows the instance's setting.

    /// Adds a cell.
    func insertCell(closureID: Int64, _ record: CellRecord, recordsHistory: Bool, defaultOperation: String = "create") throws {
        try withLock {
            try statement("INSERT INTO cells (closure_id, name, type, encoding, value) VALUES (?, ?, ?, ?, ?)")
                .execute([.integer(closureID), .text(record.name), .text(record.type), .text(record.encoding.rawValue), record.value])
            if recordsHistory {
                try appendHistory(closureID: closureID, name: record.name, record: record, defaultOperation: defaultOperation)
            }
        }
    }

    /// Writes a new value into a cell that still holds a value of
    /// `record.type`; false if there is no such cell (deleted, renamed or
    /// retyped meanwhile), and then nothing is written.
    func updateCellValue(closureID: Int64, _ record: CellRecord, recordsHistory: Bool) throws -> Bool {
        try withLock {
            try statement("UPDATE cells SET value = ? WHERE closure_id = ? AND name = ? AND type = ?")
                .execute([record.value, .integer(closureID), .text(record.name), .text(record.type)])
            guard changes == 1 else { return false }
            if recordsHistory {
                try appendHistory(closureID: closureID, name: record.name, record: record, defaultOperation: nil)
            }
            return true
        }
    }

    /// Sets a cell's type and value, creating the cell if it is missing.
    func replaceCell(closureID: Int64, _ record: CellRecord, recordsHistory: Bool, defaultOperation: String) throws {
        try withLock {
            try statement("""
                INSERT INTO cells (closure_id, name, type, encoding, value) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (closure_id, name) DO UPDATE SET type = excluded.type, encoding = excluded.encoding, value = excluded.value
                """).execute([.integer(closureID), .text(record.name), .text(record.type), .text(record.encoding.rawValue), record.value])
            if recordsHistory {
                try appendHistory(closureID: closureID, name: record.name, record: record, defaultOperation: defaultOperation)
            }
        }
    }

    func renameCell(closureID: Int64, from name: String, to newName: String, recordsHistory: Bool) throws {
        try withLock {
            try statement("UPDATE cells SET name = ? WHERE closure_id = ? AND name = ?")
                .execute([.text(newName), .integer(closureID), .text(name)])
            if recordsHistory, let renamed = try cellRecord(closureID: closureID, name: newName) {
                try appendHistory(closureID: closureID, name: name, record: nil, defaultOperation: "migrate")
                try appendHistory(closureID: closureID, name: newName, record: renamed, defaultOperation: "migrate")
            }
        }
    }

    func deleteCell(closureID: Int64, name: String, recordsHistory: Bool, defaultOperation: String) throws {
        try withLock {
            try statement("DELETE FROM cells WHERE closure_id = ? AND name = ?").execute([.integer(closureID), .text(name)])
            if recordsHistory && changes == 1 {
                try appendHistory(closureID: closureID, name: name, record: nil, defaultOperation: defaultOperation)
            }
        }
    }
}

extension Storage {
    /// What `PRAGMA name` says on this store's own connection, e.g. its
    /// `synchronous` level, which no other connection can see.
    func pragma(_ name: String) throws -> String {
        try withLock {
            try connection.cachedStatement("PRAGMA \(name)").queryOne { $0.text(at: 0) } ?? ""
        }
    }

    /// The number of the last schema migration applied to the file.
    func schemaVersion() throws -> Int {
        try withLock {
            Int(try statement("SELECT max(version) FROM cellar_migrations").queryOne { $0.integer(at: 0) } ?? 0)
        }
    }
}

extension Storage {
    /// `PRAGMA integrity_check`: `["ok"]`, or one line per problem.
    func integrityCheck() throws -> [String] {
        try withLock {
            try statement("PRAGMA integrity_check").queryAll { $0.text(at: 0) }
        }
    }

    /// Reads which migrations the file at `path` has, through a read-only
    /// connection of its own that never migrates.
    static func migrationStatus(at path: String, migrator: Migrator = .embedded) throws -> MigrationStatus {
        let storage = try Storage(path: path, mode: .inspectSchema, durability: .normal, busyTimeoutMilliseconds: 5000, migrator: migrator)
        return try storage.withLock {
            let pending = try migrator.pendingMigrations(of: storage.connection, path: path)
            let applied: [MigrationStatus.Migration] = try storage.statement(
                "SELECT version, name, applied_at FROM cellar_migrations ORDER BY version"
            ).queryAll { .init(version: Int($0.integer(at: 0)), name: $0.text(at: 1), appliedAt: $0.text(at: 2)) }
            return MigrationStatus(
                applied: applied,
                pending: pending.map { .init(version: $0.version, name: $0.name, appliedAt: nil) })
        }
    }
}
