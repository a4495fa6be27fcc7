#if PostgreSQL
/// The PostgreSQL backend's queries, in its dialect: the same rows as
/// SQLite's, one round trip each.
extension PostgreSQLBackend {
    // MARK: Instances

    /// In a write transaction, locks the instance as it finds it, and
    /// reads it and its cells after the lock, in the same round trip.
    func instance(_ id: InstanceID) throws -> InstanceRecord? {
        guard isWriting else {
            let rows = try connection.query("SELECT \(Columns.instance) FROM instances WHERE factory = $1 AND key = $2",
                                            [.text(id.factory), .text(id.key)])
            return rows.count == 0 ? nil : Self.instance(rows, 0)
        }
        try beginIfPending()
        try prepareToLock()
        var lockedID: Int64?
        try connection.enqueue(Queries.lockInstanceByKey, [.text(id.factory), .text(id.key), .text(schema)]) { rows in
            lockedID = rows.count == 0 ? nil : rows.integer(0, 0)
        }
        // Statements of their own, after the lock: they see what the
        // instance's last writer committed.
        var found: InstanceRecord?
        try connection.enqueue("SELECT \(Columns.instance) FROM instances WHERE factory = $1 AND key = $2",
                               [.text(id.factory), .text(id.key)]) { rows in
            found = rows.count == 0 ? nil : Self.instance(rows, 0)
        }
        let versions = try connection.query(Queries.newestVersionsByKey, [.text(id.factory), .text(id.key)])
        guard let found else { return nil }
        if let lockedID, lockedInstances[lockedID] == nil { lockedInstances[lockedID] = LockedInstance() }
        guard found.rowID == lockedID else {
            // Deleted and made again while this transaction waited: lock the new one.
            try lockForWriting(instance: found.rowID)
            return try instance(rowID: found.rowID)
        }
        if lockedInstances[found.rowID]?.allCells == nil {
            var locked = LockedInstance()
            locked.rememberAll((0..<versions.count).map { Self.version(versions, $0) })
            lockedInstances[found.rowID] = locked
        }
        return found
    }

    func instance(rowID: Int64) throws -> InstanceRecord? {
        try lockForWriting(instance: rowID)
        let rows = try connection.query("SELECT \(Columns.instance) FROM instances WHERE id = $1", [.integer(rowID)])
        return rows.count == 0 ? nil : Self.instance(rows, 0)
    }

    func instances(of factory: String) throws -> [InstanceRecord] {
        let rows = try connection.query(
            "SELECT \(Columns.instance) FROM instances WHERE factory = $1 ORDER BY key COLLATE \"C\"", [.text(factory)])
        return (0..<rows.count).map { Self.instance(rows, $0) }
    }

    func factoryNames() throws -> [String] {
        let rows = try connection.query("SELECT DISTINCT factory COLLATE \"C\" FROM instances ORDER BY 1")
        return (0..<rows.count).map { rows.text($0, 0) }
    }

    /// Another host restoring the same key at the same moment gets the same
    /// row: the second insert waits for the first to commit, then finds it.
    func insertInstance(_ id: InstanceID, stateVersion: Int, recordsHistory: Bool, createdAt: String?) throws -> InstanceRecord {
        let inserted = try write("""
            INSERT INTO instances (factory, key, state_version, records_history, created_at)
            VALUES ($1, $2, $3, $4, coalesce($5, to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')))
            ON CONFLICT (factory, key) DO NOTHING
            RETURNING \(Columns.instance)
            """, [.text(id.factory), .text(id.key), .integer(Int64(stateVersion)), .bool(recordsHistory), createdAt.map { .text($0) } ?? .null])
        if inserted.count == 1 {
            let instance = Self.instance(inserted, 0)
            // Its row is this transaction's until it commits, and holds no cells yet.
            lockedInstances[instance.rowID] = .new
            return instance
        }
        guard let existing = try instance(id) else { preconditionFailure("an instance that conflicted on insert is missing") }
        return existing
    }

    func setStateVersion(_ version: Int, ofInstance rowID: Int64) throws {
        try queueWrite(to: rowID, "UPDATE instances SET state_version = $1 WHERE id = $2", [.integer(Int64(version)), .integer(rowID)])
    }

    func setRecordsHistory(_ recordsHistory: Bool, ofInstance rowID: Int64) throws {
        try queueWrite(to: rowID, "UPDATE instances SET records_history = $1 WHERE id = $2", [.bool(recordsHistory), .integer(rowID)])
    }

    func setHistoryStart(_ sequence: Int64, ofInstance rowID: Int64) throws {
        try queueWrite(to: rowID, "UPDATE instances SET history_since_seq = $1 WHERE id = $2", [.integer(sequence), .integer(rowID)])
    }

    /// Records the deletion as a change first: the instance's versions go with it.
    func deleteInstance(rowID: Int64) throws {
        try queueWrite(to: rowID, "INSERT INTO instance_deletions (instance_id, factory, key) SELECT id, factory, key FROM instances WHERE id = $1",
                       [.integer(rowID)])
        try queueWrite(to: rowID, "DELETE FROM instances WHERE id = $1", [.integer(rowID)])
    }

    func instanceRowIDsWithHistory() throws -> [Int64] {
        let rows = try connection.query("SELECT id FROM instances WHERE records_history ORDER BY id")
        return (0..<rows.count).map { rows.integer($0, 0) }
    }

    // MARK: Cell versions

    /// In a write transaction, read under the instance's lock (in the
    /// lock's round trip), or remembered from an earlier read under it.
    func newestVersion(of cell: CellAddress) throws -> HistoryRecord? {
        try lockForWriting(instance: cell.instanceRowID)
        if let known = lockedInstances[cell.instanceRowID]?.newestVersion(of: cell.name) {
            return known
        }
        let rows = try connection.query(Queries.newestVersion, [.integer(cell.instanceRowID), .text(cell.name)])
        let newest = rows.count == 0 ? nil : Self.version(rows, 0)
        lockedInstances[cell.instanceRowID]?.remember(newest, of: cell.name)
        return newest
    }

    func newestVersions(ofInstance rowID: Int64) throws -> [HistoryRecord] {
        try lockForWriting(instance: rowID)
        let versions: [HistoryRecord]
        if let known = lockedInstances[rowID]?.allCells {
            versions = known
        } else {
            let rows = try connection.query(Queries.newestVersions, [.integer(rowID)])
            versions = (0..<rows.count).map { Self.version(rows, $0) }
            lockedInstances[rowID]?.rememberAll(versions)
        }
        return versions.sorted { Array($0.name.utf8).lexicographicallyPrecedes($1.name.utf8) }
    }

    /// In a write transaction, read with the instance's lock.
    func newestSequence(ofInstance rowID: Int64) throws -> Int64 {
        try lockForWriting(instance: rowID)
        if let known = try lockedLastSequence(ofInstance: rowID) { return known }
        let last = try connection.query("SELECT coalesce(max(seq), 0) FROM cell_versions WHERE instance_id = $1", [.integer(rowID)])
            .integer(0, 0)
        lockedInstances[rowID]?.lastSequence = last
        return last
    }

    func insertVersion(of cell: CellAddress, sequence: Int64, record: CellRecord?, operation: String?, at: Int64?) throws {
        try queueWrite(to: cell.instanceRowID, cell: cell.name, sequence: sequence, """
            INSERT INTO cell_versions (instance_id, name, seq, type, encoding, removed, operation, at, \(Columns.valueColumns))
            VALUES ($1, $2, $3, $4, $5, $6, $7, coalesce($8, (extract(epoch FROM clock_timestamp()) * 1000)::bigint),
                    $9, $10, $11, $12, $13, $14::json)
            """, [.integer(cell.instanceRowID), .text(cell.name), .integer(sequence), .text(record?.type ?? ""),
                  .text(record?.encoding.rawValue ?? CellEncoding.native.rawValue), .bool(record == nil), operation.map { .text($0) } ?? .null,
                  at.map { .integer($0) } ?? .null]
                + Self.valueParameters(record), expectedChangedRows: 1)
    }

    /// Queued when what was read under the instance's lock says the
    /// version is there (and which column its value goes in); sent at once
    /// otherwise, to tell whether it was.
    func rewriteVersion(of cell: CellAddress, sequence: Int64, value: CellValue, operation: String?) throws -> Bool {
        try lockForWriting(instance: cell.instanceRowID)
        let key: [PGParameter] = [.integer(cell.instanceRowID), .text(cell.name), .integer(sequence), operation.map { .text($0) } ?? .null]
        if case let known?? = lockedInstances[cell.instanceRowID]?.newestVersion(of: cell.name), known.sequence == sequence,
           let encoding = known.cell?.encoding {
            let record = CellRecord(name: cell.name, type: "", encoding: encoding, value: value)
            try queueWrite(to: cell.instanceRowID, cell: cell.name, Queries.rewriteKnownVersion, key + Self.valueParameters(record),
                           expectedChangedRows: 1)
            return true
        }
        let changed = try write(Queries.rewriteVersion, key + Self.rawValueParameters(value)).changedRows == 1
        noteWrite(to: cell.instanceRowID, cell: cell.name)
        return changed
    }

    func rewriteNewestVersion(ofInstance rowID: Int64, _ record: CellRecord, operation: String?) throws -> Int64? {
        guard let newest = try newestVersion(of: CellAddress(instanceRowID: rowID, name: record.name)),
              let current = newest.cell, current.type == record.type
        else { return nil }
        return try rewriteVersion(of: CellAddress(instanceRowID: rowID, name: record.name), sequence: newest.sequence,
                                  value: record.value, operation: operation) ? newest.sequence : nil
    }

    func eraseCell(_ cell: CellAddress) throws {
        try queueWrite(to: cell.instanceRowID, cell: cell.name, "DELETE FROM cell_versions WHERE instance_id = $1 AND name = $2",
                       [.integer(cell.instanceRowID), .text(cell.name)])
    }

    // MARK: History

    func history(ofInstance rowID: Int64, since: Int64?, limit: Int) throws -> [HistoryRecord] {
        try lockForWriting(instance: rowID)
        let rows = try connection.query("""
            SELECT \(Columns.version) FROM cell_versions WHERE instance_id = $1 AND at >= $2 ORDER BY seq DESC LIMIT $3
            """, [.integer(rowID), .integer(since ?? .min), .integer(Int64(limit))])
        return (0..<rows.count).map { Self.version(rows, $0) }
    }

    func historyCount(ofInstance rowID: Int64, since: Int64?) throws -> Int {
        try lockForWriting(instance: rowID)
        return Int(try connection.query("SELECT count(*) FROM cell_versions WHERE instance_id = $1 AND at >= $2",
                                 [.integer(rowID), .integer(since ?? .min)]).integer(0, 0))
    }

    func historyState(ofInstance rowID: Int64, atOrBefore sequence: Int64) throws -> [HistoryRecord] {
        try lockForWriting(instance: rowID)
        let rows = try connection.query("""
            SELECT DISTINCT ON (name) \(Columns.version) FROM cell_versions WHERE instance_id = $1 AND seq <= $2
            ORDER BY name, seq DESC
            """, [.integer(rowID), .integer(sequence)])
        return (0..<rows.count).map { Self.version(rows, $0) }
    }

    func lastSequence(ofInstance rowID: Int64, writtenAtOrBefore time: Int64) throws -> Int64? {
        try lockForWriting(instance: rowID)
        return try connection.query("SELECT max(seq) FROM cell_versions WHERE instance_id = $1 AND at <= $2",
                             [.integer(rowID), .integer(time)]).optionalInteger(0, 0)
    }

    func historyBounds(ofInstance rowID: Int64) throws -> (first: HistoryRecord, last: HistoryRecord)? {
        try lockForWriting(instance: rowID)
        let first = try connection.query(
            "SELECT \(Columns.version) FROM cell_versions WHERE instance_id = $1 ORDER BY seq LIMIT 1", [.integer(rowID)])
        let last = try connection.query(
            "SELECT \(Columns.version) FROM cell_versions WHERE instance_id = $1 ORDER BY seq DESC LIMIT 1", [.integer(rowID)])
        guard first.count == 1, last.count == 1 else { return nil }
        return (Self.version(first, 0), Self.version(last, 0))
    }

    func historyCutoff(ofInstance rowID: Int64, writtenBefore time: Int64) throws -> Int64 {
        try lockForWriting(instance: rowID)
        return try connection.query("""
            SELECT coalesce((SELECT min(seq) FROM cell_versions WHERE instance_id = $1 AND at >= $2),
                            (SELECT max(seq) FROM cell_versions WHERE instance_id = $1) + 1, 0)
            """, [.integer(rowID), .integer(time)]).integer(0, 0)
    }

    func historyCutoff(ofInstance rowID: Int64, keepingLast count: Int) throws -> Int64? {
        try lockForWriting(instance: rowID)
        if count == 0 {
            return try connection.query("SELECT max(seq) + 1 FROM cell_versions WHERE instance_id = $1", [.integer(rowID)])
                .optionalInteger(0, 0)
        }
        let rows = try connection.query("SELECT seq FROM cell_versions WHERE instance_id = $1 ORDER BY seq DESC LIMIT 1 OFFSET $2",
                                        [.integer(rowID), .integer(Int64(count - 1))])
        return rows.count == 0 ? nil : rows.integer(0, 0)
    }

    func pruneHistory(ofInstance rowID: Int64, before cutoff: Int64) throws -> Int {
        try lockForWriting(instance: rowID)
        let removed = try write("""
            DELETE FROM cell_versions WHERE instance_id = $1 AND seq < $2 AND (name, seq) NOT IN
                (SELECT name, max(seq) FROM cell_versions WHERE instance_id = $1 AND seq < $2 GROUP BY name)
            """, [.integer(rowID), .integer(cutoff)]).changedRows
        try queueWrite(to: rowID, "UPDATE instances SET history_since_seq = greatest(history_since_seq, $1) WHERE id = $2",
                       [.integer(cutoff), .integer(rowID)])
        return removed
    }

    // MARK: Snapshots

    func insertSnapshot(named name: String, automatic: Bool) throws {
        try write("INSERT INTO snapshots (name, automatic) VALUES ($1, $2)", [.text(name), .bool(automatic)])
        try queueWrite(to: nil, """
            INSERT INTO snapshot_instances (snapshot, factory, key, state_version, created_at)
            SELECT $1, factory, key, state_version, created_at FROM instances
            """, [.text(name)])
        try queueWrite(to: nil, """
            INSERT INTO snapshot_cells (snapshot, factory, key, name, type, encoding, \(Columns.valueColumns))
            SELECT $1, instances.factory, instances.key, cells.name, cells.type, cells.encoding,
                   cells.kind, cells.integer_value, cells.real_value, cells.text_value, cells.blob_value, cells.json_value
            FROM cells JOIN instances ON instances.id = cells.instance_id WHERE NOT cells.removed
            """, [.text(name)])
    }

    func insertSnapshot(_ snapshot: SnapshotRecord, holding instances: [(instance: SnapshotInstanceRecord, cells: [CellRecord])]) throws {
        try write("INSERT INTO snapshots (name, created_at, automatic) VALUES ($1, $2, $3)",
                             [.text(snapshot.name), .text(snapshot.createdAt), .bool(snapshot.automatic)])
        for (instance, cells) in instances {
            try queueWrite(to: nil, """
                INSERT INTO snapshot_instances (snapshot, factory, key, state_version, created_at) VALUES ($1, $2, $3, $4, $5)
                """, [.text(snapshot.name), .text(instance.id.factory), .text(instance.id.key), .integer(Int64(instance.stateVersion)),
                      .text(instance.createdAt)])
            for cell in cells {
                try queueWrite(to: nil, """
                    INSERT INTO snapshot_cells (snapshot, factory, key, name, type, encoding, \(Columns.valueColumns))
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::json)
                    """, [.text(snapshot.name), .text(instance.id.factory), .text(instance.id.key), .text(cell.name), .text(cell.type),
                          .text(cell.encoding.rawValue)] + Self.valueParameters(cell))
            }
        }
    }

    func snapshot(named name: String) throws -> SnapshotRecord? {
        let rows = try connection.query("SELECT \(Columns.snapshot) FROM snapshots s WHERE name = $1", [.text(name)])
        return rows.count == 0 ? nil : Self.snapshot(rows, 0)
    }

    func snapshots() throws -> [SnapshotRecord] {
        let rows = try connection.query("SELECT \(Columns.snapshot) FROM snapshots s ORDER BY created_at, taken")
        return (0..<rows.count).map { Self.snapshot(rows, $0) }
    }

    func snapshotInstances(_ name: String, factory: String?) throws -> [SnapshotInstanceRecord] {
        let rows = try connection.query("""
            SELECT factory, key, state_version, created_at FROM snapshot_instances
            WHERE snapshot = $1 AND ($2::text IS NULL OR factory = $2) ORDER BY factory COLLATE "C", key COLLATE "C"
            """, [.text(name), factory.map { .text($0) } ?? .null])
        return (0..<rows.count).map {
            SnapshotInstanceRecord(id: InstanceID(factory: rows.text($0, 0), key: rows.text($0, 1)),
                                   stateVersion: Int(rows.integer($0, 2)), createdAt: rows.text($0, 3))
        }
    }

    func snapshotCells(_ name: String, of id: InstanceID) throws -> [CellRecord] {
        let rows = try connection.query("""
            SELECT name, type, encoding, \(Columns.valueRead) FROM snapshot_cells
            WHERE snapshot = $1 AND factory = $2 AND key = $3 ORDER BY name COLLATE "C"
            """, [.text(name), .text(id.factory), .text(id.key)])
        return (0..<rows.count).map { row in
            let encoding = CellEncoding(rawValue: rows.text(row, 2)) ?? .native
            return CellRecord(name: rows.text(row, 0), type: rows.text(row, 1), encoding: encoding, value: Self.value(rows, row, from: 3))
        }
    }

    func deleteSnapshot(named name: String) throws -> Bool {
        try write("DELETE FROM snapshots WHERE name = $1", [.text(name)]).changedRows > 0
    }

    /// No file of its own to copy: the store copies itself into a new SQLite file.
    func backup(to path: String) throws -> Bool {
        false
    }

    // MARK: Maintenance

    func schemaVersion() throws -> Int {
        Int(try connection.query("SELECT max(version) FROM cellar_migrations").optionalInteger(0, 0) ?? 0)
    }

    /// PostgreSQL checks its pages itself; Cellar checks what it can see:
    /// no cell version of an instance that is gone.
    func integrityProblems() throws -> [String] {
        let rows = try connection.query("""
            SELECT count(*) FROM cell_versions v WHERE NOT EXISTS (SELECT 1 FROM instances i WHERE i.id = v.instance_id)
            """)
        let orphans = rows.integer(0, 0)
        return orphans == 0 ? [] : ["\(orphans) cell versions belong to no instance"]
    }

    // MARK: Rows

    enum Queries {
        /// Locks instance $2 of schema $1 until the transaction ends: a
        /// transaction-level advisory lock, which writes nothing. (An id
        /// beyond 2^31 shares its lock with a smaller one: more waiting,
        /// never less.)
        static let lockInstance: PGStatement = "SELECT pg_advisory_xact_lock(hashtext($1), ($2::bigint % 2147483647)::integer)"
        /// The lock on schema $1's change numbers (-1: no instance's id),
        /// shared by writers, taken exclusively by a watcher for a moment.
        static let lockChangesShared: PGStatement = "SELECT pg_advisory_xact_lock_shared(hashtext($1), -1)"
        static let lockChangesExclusive: PGStatement = "SELECT pg_advisory_xact_lock(hashtext($1), -1)"
        /// Locks the instance named $1 / $2 of schema $3, and returns its id.
        static let lockInstanceByKey: PGStatement = """
            SELECT id, pg_advisory_xact_lock(hashtext($3), (id % 2147483647)::integer) FROM instances WHERE factory = $1 AND key = $2
            """
        /// The newest version of cell $2 of instance $1. (Built once: it is
        /// read at every update.)
        static let newestVersion: PGStatement = """
            SELECT \(Columns.version) FROM cell_versions WHERE instance_id = $1 AND name = $2 ORDER BY seq DESC LIMIT 1
            """
        /// Each cell's newest version of instance $1.
        static let newestVersions = PGStatement(newestVersions(ofInstance: "$1"))
        /// The same, for the instance named $1 / $2.
        static let newestVersionsByKey = PGStatement(newestVersions(ofInstance: "(SELECT id FROM instances WHERE factory = $1 AND key = $2)"))

        /// Each cell's newest version of the instance `id` is, one index
        /// probe per cell (PostgreSQL has no skip scan: `DISTINCT ON` would
        /// read the instance's whole history).
        private static func newestVersions(ofInstance id: String) -> String {
            """
            WITH RECURSIVE names(name) AS (
                (SELECT name FROM cell_versions WHERE instance_id = \(id) ORDER BY name LIMIT 1)
                UNION ALL
                SELECT (SELECT c.name FROM cell_versions c WHERE c.instance_id = \(id) AND c.name > n.name ORDER BY c.name LIMIT 1)
                FROM names n WHERE n.name IS NOT NULL
            )
            SELECT v.* FROM names n CROSS JOIN LATERAL (
                SELECT \(Columns.version) FROM cell_versions WHERE instance_id = \(id) AND name = n.name ORDER BY seq DESC LIMIT 1
            ) v WHERE n.name IS NOT NULL
            """
        }

        /// Rewrites version $3 of cell $2 of instance $1 in place with the
        /// value in its columns ($5 to $10), as ``valueParameters(_:)`` puts
        /// it for the row's encoding.
        static let rewriteKnownVersion: PGStatement = """
            UPDATE cell_versions SET operation = $4, at = (extract(epoch FROM clock_timestamp()) * 1000)::bigint,
                change = nextval('change_numbers'), kind = $5, integer_value = $6, real_value = $7, text_value = $8, blob_value = $9, json_value = $10::json
            WHERE instance_id = $1 AND name = $2 AND seq = $3
            """
        /// Rewrites version $3 of cell $2 of instance $1 in place. The
        /// encoding stays the row's: it decides which column a text goes in.
        static let rewriteVersion: PGStatement = """
            UPDATE cell_versions SET (operation, at, change, \(Columns.valueColumns)) =
                (SELECT $4, (extract(epoch FROM clock_timestamp()) * 1000)::bigint, nextval('change_numbers'), v.kind, v.i, v.r,
                        CASE WHEN encoding = 'json' THEN NULL ELSE v.t END, v.b, CASE WHEN encoding = 'json' THEN v.t::json END
                 FROM (SELECT $5::text AS kind, $6::bigint AS i, $7::double precision AS r, $8::text AS t, $9::bytea AS b) AS v)
            WHERE instance_id = $1 AND name = $2 AND seq = $3
            """
    }


    enum Columns {
        static let instance = "id, factory, key, state_version, created_at, records_history, history_since_seq"
        static let valueColumns = "kind, integer_value, real_value, text_value, blob_value, json_value"
        /// The value columns as read: json as its text.
        static let valueRead = "kind, integer_value, real_value, text_value, blob_value, json_value::text"
        static let version = "instance_id, seq, name, type, encoding, removed, operation, at, \(valueRead)"
        static let snapshot = "name, created_at, automatic, (SELECT count(*) FROM snapshot_instances WHERE snapshot = s.name)"
    }

    private static func instance(_ rows: PGRows, _ row: Int) -> InstanceRecord {
        InstanceRecord(rowID: rows.integer(row, 0), id: InstanceID(factory: rows.text(row, 1), key: rows.text(row, 2)),
                       stateVersion: Int(rows.integer(row, 3)), createdAt: rows.text(row, 4), recordsHistory: rows.bool(row, 5),
                       historySinceSequence: rows.integer(row, 6))
    }

    static func version(_ rows: PGRows, _ row: Int) -> HistoryRecord {
        let name = rows.text(row, 2)
        let cell = rows.bool(row, 5) ? nil : CellRecord(
            name: name, type: rows.text(row, 3), encoding: CellEncoding(rawValue: rows.text(row, 4)) ?? .native,
            value: value(rows, row, from: 8))
        return HistoryRecord(instanceRowID: rows.integer(row, 0), sequence: rows.integer(row, 1), name: name, cell: cell,
                             operation: rows.optionalText(row, 6), at: rows.integer(row, 7))
    }

    private static func snapshot(_ rows: PGRows, _ row: Int) -> SnapshotRecord {
        SnapshotRecord(name: rows.text(row, 0), createdAt: rows.text(row, 1), automatic: rows.bool(row, 2),
                       instanceCount: Int(rows.integer(row, 3)))
    }

    /// The value in the six value columns starting at `column`.
    private static func value(_ rows: PGRows, _ row: Int, from column: Int) -> CellValue {
        switch rows.text(row, column) {
        case "integer": .integer(rows.integer(row, column + 1))
        case "real": .real(Double(rows.text(row, column + 2)) ?? .nan)
        case "text": .text(rows.optionalText(row, column + 3) ?? rows.text(row, column + 5))
        case "blob": .blob(rows.bytes(row, column + 4))
        default: .null
        }
    }

    /// `kind, integer_value, real_value, text_value, blob_value, json_value`
    /// for a cell's new state (all NULL for a removal).
    private static func valueParameters(_ record: CellRecord?) -> [PGParameter] {
        guard let record else { return [.text("null"), .null, .null, .null, .null, .null] }
        let raw = rawValueParameters(record.value)
        // A JSON-encoded value goes in the json column, not the text one.
        if record.encoding == .json { return [raw[0], raw[1], raw[2], .null, raw[4], raw[3]] }
        return raw + [.null]
    }

    /// `kind, integer, real, text, bytes` for `value`.
    private static func rawValueParameters(_ value: CellValue) -> [PGParameter] {
        switch value {
        case .null: [.text("null"), .null, .null, .null, .null]
        case .integer(let integer): [.text("integer"), .integer(integer), .null, .null, .null]
        case .real(let real): [.text("real"), .null, .text(real.isInfinite ? (real > 0 ? "Infinity" : "-Infinity") : String(real)), .null, .null]
        case .text(let text): [.text("text"), .null, .null, .text(text), .null]
        case .blob(let data): [.text("blob"), .null, .null, .null, .binary(data)]
        }
    }
}
#endif
