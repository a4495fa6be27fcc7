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
            // The index holds the whole row; SQLite would pick the UNIQUE
            // constraint's, and read the row from the table as well.
            try statement("""
                SELECT id, factory, key, state_version, created_at, records_history, history_since_seq
                FROM closures INDEXED BY closures_by_key WHERE factory = ? AND key = ?
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

    /// Deletes an instance and its cells; false if there was no such instance.
    func deleteClosure(factory: String, key: String) throws -> Bool {
        try withLock {
            guard let closure = try closureRecord(factory: factory, key: key) else { return false }
            try deleteClosure(closure)
            return true
        }
    }

    /// Deletes an instance; its cells and their history go with it.
    func deleteClosure(_ closure: ClosureRecord) throws {
        try withLock {
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
    //
    // A cell's rows in `cell_versions` are its history, oldest first; its
    // value is the newest row unless that row records its removal. Every
    // change below runs inside a write transaction (the numbering needs it)
    // and, when `recordsHistory`, adds a row; otherwise it rewrites the
    // newest row in place.

    /// The newest row of cell `name`, removed or not; nil if it never existed.
    func newestVersion(closureID: Int64, name: String) throws -> HistoryRecord? {
        try withLock {
            try statement("""
                SELECT closure_id, seq, name, type, encoding, value, removed, operation, at FROM cell_versions
                WHERE closure_id = ? AND name = ? ORDER BY seq DESC LIMIT 1
                """).queryOne([.integer(closureID), .text(name)], Self.historyRecord)
        }
    }

    /// The newest row of every cell the instance ever had, sorted by name:
    /// two seeks per cell, however long their histories.
    func newestVersions(closureID: Int64) throws -> [HistoryRecord] {
        try withLock {
            var versions: [HistoryRecord] = []
            var after = ""
            while let name = try statement("SELECT name FROM cell_versions WHERE closure_id = ? AND name > ? ORDER BY name LIMIT 1")
                .queryOne([.integer(closureID), .text(after)], { $0.text(at: 0) }) {
                if let newest = try newestVersion(closureID: closureID, name: name) {
                    versions.append(newest)
                }
                after = name
            }
            return versions
        }
    }

    func cellRecord(closureID: Int64, name: String) throws -> CellRecord? {
        try newestVersion(closureID: closureID, name: name)?.cell
    }

    func cellRecords(closureID: Int64) throws -> [CellRecord] {
        try newestVersions(closureID: closureID).compactMap(\.cell)
    }

    static func cellRecord(_ row: Statement) -> CellRecord {
        CellRecord(name: row.text(at: 0), type: row.text(at: 1),
                   encoding: CellEncoding(rawValue: row.text(at: 2)) ?? .native, value: row.value(at: 3))
    }

    /// The number the instance's next change gets: one more than its
    /// newest row's. Remembered while no other connection commits and
    /// nothing rolls back (the generation), otherwise read, a seek per cell.
    private func nextSequence(closureID: Int64) throws -> Int64 {
        if let known = lastSequences[closureID], known.generation == generation {
            return known.sequence + 1
        }
        let newest = try newestVersions(closureID: closureID).map(\.sequence).max() ?? 0
        return newest + 1
    }

    /// Writes a new row for cell `name`: its new state, or its removal.
    /// Returns the row's `seq`.
    @discardableResult
    private func appendVersion(closureID: Int64, name: String, record: CellRecord?, defaultOperation: String?) throws -> Int64 {
        let sequence = try nextSequence(closureID: closureID)
        let operation: SQLiteValue = (operationNames.first ?? defaultOperation).map { .text($0) } ?? .null
        try statement("""
            INSERT INTO cell_versions (closure_id, name, seq, type, encoding, value, removed, operation)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """).execute([
                .integer(closureID), .text(name), .integer(sequence), .text(record?.type ?? ""),
                .text(record?.encoding.rawValue ?? "native"), record?.value ?? .null, .integer(record == nil ? 1 : 0), operation,
            ])
        lastSequences[closureID] = (sequence, generation)
        return sequence
    }

    /// Removes every row of cell `name`: a change without history.
    private func eraseCell(closureID: Int64, name: String) throws {
        try statement("DELETE FROM cell_versions WHERE closure_id = ? AND name = ?").execute([.integer(closureID), .text(name)])
    }

    /// Adds a cell; returns its row's `seq`.
    @discardableResult
    func insertCell(closureID: Int64, _ record: CellRecord, recordsHistory: Bool, defaultOperation: String = "create") throws -> Int64 {
        try withLock {
            if !recordsHistory { try eraseCell(closureID: closureID, name: record.name) }
            return try appendVersion(closureID: closureID, name: record.name, record: record, defaultOperation: defaultOperation)
        }
    }

    /// Writes a new value into a cell that still holds a value of
    /// `record.type`, with one statement; returns the `seq` of the row that
    /// holds it, or nil if there is no such cell (deleted, renamed or retyped
    /// meanwhile), and then nothing is written.
    ///
    /// `knownSequence`: the caller read or wrote this cell at the current
    /// generation, and its newest row, holding a `record.type`, has this
    /// `seq`; the checks are skipped.
    func updateCellValue(closureID: Int64, _ record: CellRecord, recordsHistory: Bool, knownSequence: Int64?) throws -> Int64? {
        try withLock {
            let operation: SQLiteValue = operationNames.first.map { .text($0) } ?? .null
            switch (recordsHistory, knownSequence) {
            case (false, let sequence?):
                // The row is known: rewrite it in place, found by its key alone.
                try statement("""
                    UPDATE cell_versions SET value = ?4, operation = ?5, at = ?6 WHERE closure_id = ?1 AND name = ?2 AND seq = ?3
                    """).execute([.integer(closureID), .text(record.name), .integer(sequence), record.value,
                                  operation, .integer(currentMilliseconds())])
                return changes == 1 ? sequence : nil
            case (false, nil):
                // The newest row, if it still holds this type.
                return try statement("""
                    UPDATE cell_versions SET value = ?3, operation = ?5, at = ?6
                    WHERE closure_id = ?1 AND name = ?2 AND type = ?4 AND removed = 0
                      AND seq = (SELECT max(seq) FROM cell_versions WHERE closure_id = ?1 AND name = ?2)
                    RETURNING seq
                    """).queryOne([.integer(closureID), .text(record.name), record.value, .text(record.type),
                                   operation, .integer(currentMilliseconds())]) { $0.integer(at: 0) }
            case (true, let sequence):
                if sequence == nil {
                    guard let current = try newestVersion(closureID: closureID, name: record.name)?.cell, current.type == record.type
                    else { return nil }
                }
                return try appendVersion(closureID: closureID, name: record.name, record: record, defaultOperation: nil)
            }
        }
    }

    /// Sets a cell's type and value, creating the cell if it is missing.
    func replaceCell(closureID: Int64, _ record: CellRecord, recordsHistory: Bool, defaultOperation: String) throws {
        try insertCell(closureID: closureID, record, recordsHistory: recordsHistory, defaultOperation: defaultOperation)
    }

    func renameCell(closureID: Int64, from name: String, to newName: String, recordsHistory: Bool) throws {
        try withLock {
            guard let record = try cellRecord(closureID: closureID, name: name) else { return }
            let renamed = CellRecord(name: newName, type: record.type, encoding: record.encoding, value: record.value)
            try deleteCell(closureID: closureID, name: name, recordsHistory: recordsHistory, defaultOperation: "migrate")
            try insertCell(closureID: closureID, renamed, recordsHistory: recordsHistory, defaultOperation: "migrate")
        }
    }

    func deleteCell(closureID: Int64, name: String, recordsHistory: Bool, defaultOperation: String) throws {
        try withLock {
            guard try cellRecord(closureID: closureID, name: name) != nil else { return }
            if recordsHistory {
                try appendVersion(closureID: closureID, name: name, record: nil, defaultOperation: defaultOperation)
            } else {
                try eraseCell(closureID: closureID, name: name)
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
