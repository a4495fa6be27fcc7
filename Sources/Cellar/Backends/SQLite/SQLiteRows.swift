// How each record type is read from a row: its column list, written once,
// and the mapping of those columns, in the same order, in one place.

extension InstanceRecord {
    /// The columns `init(row:)` reads, in its order.
    static let columns = "id, factory, key, state_version, created_at, records_history, history_since_seq"

    init(row: Statement) {
        self.init(
            rowID: row.integer(at: 0), id: InstanceID(factory: row.text(at: 1), key: row.text(at: 2)),
            stateVersion: Int(row.integer(at: 3)), createdAt: row.text(at: 4), recordsHistory: row.integer(at: 5) != 0,
            historySinceSequence: row.integer(at: 6))
    }
}

extension HistoryRecord {
    /// The columns of `cell_versions` that `init(row:)` reads, in its order.
    static let columns = columns(sequence: "seq")
    /// The same, in a query grouped by cell: each group's newest version.
    static let columnsOfNewest = columns(sequence: "max(seq)")

    private static func columns(sequence: String) -> String {
        "instance_id, \(sequence), name, type, encoding, value, removed, operation, at"
    }

    init(row: Statement) {
        let name = row.text(at: 2)
        let removed = row.integer(at: 6) != 0
        self.init(
            instanceRowID: row.integer(at: 0), sequence: row.integer(at: 1), name: name,
            cell: removed ? nil : CellRecord(name: name, type: row.text(at: 3), encoding: CellEncoding(row.text(at: 4)),
                                             value: row.cellValue(at: 5)),
            operation: row.optionalText(at: 7), at: row.integer(at: 8))
    }
}

extension CellRecord {
    /// The columns of `snapshot_cells` that `init(row:)` reads, in its order.
    static let columns = "name, type, encoding, value"

    init(row: Statement) {
        self.init(name: row.text(at: 0), type: row.text(at: 1), encoding: CellEncoding(row.text(at: 2)), value: row.cellValue(at: 3))
    }
}

extension SnapshotRecord {
    /// The columns `init(row:)` reads, in its order.
    static let columns = "name, created_at, automatic, (SELECT count(*) FROM snapshot_instances WHERE snapshot = name)"

    init(row: Statement) {
        self.init(name: row.text(at: 0), createdAt: row.text(at: 1), automatic: row.integer(at: 2) != 0,
                  instanceCount: Int(row.integer(at: 3)))
    }
}

extension SnapshotInstanceRecord {
    /// The columns of `snapshot_instances` that `init(row:)` reads, in its order.
    static let columns = "factory, key, state_version, created_at"

    init(row: Statement) {
        self.init(id: InstanceID(factory: row.text(at: 0), key: row.text(at: 1)), stateVersion: Int(row.integer(at: 2)),
                  createdAt: row.text(at: 3))
    }
}

extension CellEncoding {
    /// The encoding the `encoding` column names; the schema's CHECK allows no other.
    init(_ text: String) {
        self = CellEncoding(rawValue: text) ?? .native
    }
}
