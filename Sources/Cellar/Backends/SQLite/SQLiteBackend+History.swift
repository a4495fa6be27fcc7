/// The queries on the history: the rows of `cell_versions`, one per
/// committed change to a cell, numbered per instance.
extension SQLiteBackend {
    func history(ofInstance rowID: Int64, since: Int64?, limit: Int) throws -> [HistoryRecord] {
        try statement(Queries.history).queryAll([.integer(rowID), .integer(since ?? .min), .integer(Int64(limit))], HistoryRecord.init(row:))
    }

    func historyCount(ofInstance rowID: Int64, since: Int64?) throws -> Int {
        Int(try statement(Queries.historyCount).queryOne([.integer(rowID), .integer(since ?? .min)]) { $0.integer(at: 0) } ?? 0)
    }

    func historyState(ofInstance rowID: Int64, atOrBefore sequence: Int64) throws -> [HistoryRecord] {
        try statement(Queries.historyState).queryAll([.integer(rowID), .integer(sequence)], HistoryRecord.init(row:))
    }

    func lastSequence(ofInstance rowID: Int64, writtenAtOrBefore time: Int64) throws -> Int64? {
        try statement(Queries.lastSequenceAtTime).queryOne([.integer(rowID), .integer(time)]) { $0.optionalInteger(at: 0) } ?? nil
    }

    func historyBounds(ofInstance rowID: Int64) throws -> (first: HistoryRecord, last: HistoryRecord)? {
        guard let first = try statement(Queries.firstVersion).queryOne([.integer(rowID)], HistoryRecord.init(row:)),
              let last = try statement(Queries.lastVersion).queryOne([.integer(rowID)], HistoryRecord.init(row:))
        else { return nil }
        return (first, last)
    }

    func historyCutoff(ofInstance rowID: Int64, writtenBefore time: Int64) throws -> Int64 {
        try statement(Queries.cutoffByTime).queryOne([.integer(rowID), .integer(time)]) { $0.integer(at: 0) } ?? 0
    }

    func historyCutoff(ofInstance rowID: Int64, keepingLast count: Int) throws -> Int64? {
        if count == 0 {
            return try statement(Queries.pastLastSequence).queryOne([.integer(rowID)]) { $0.optionalInteger(at: 0) } ?? nil
        }
        return try statement(Queries.cutoffByCount).queryOne([.integer(rowID), .integer(Int64(count - 1))]) { $0.integer(at: 0) }
    }

    func pruneHistory(ofInstance rowID: Int64, before cutoff: Int64) throws -> Int {
        try statement(Queries.prune).execute([.integer(rowID), .integer(cutoff)])
        let removed = connection.changes
        try statement(Queries.recordHistoryStart).execute([.integer(cutoff), .integer(rowID)])
        return removed
    }
}

private enum Queries {
    static let history = SQLQuery(
        "SELECT \(HistoryRecord.columns) FROM cell_versions WHERE instance_id = ? AND at >= ? ORDER BY seq DESC LIMIT ?")
    static let historyCount = SQLQuery("SELECT count(*) FROM cell_versions WHERE instance_id = ? AND at >= ?")
    // SQLite takes the bare columns from the row that holds max(seq).
    static let historyState = SQLQuery("""
        SELECT \(HistoryRecord.columnsOfNewest) FROM cell_versions
        WHERE instance_id = ? AND seq <= ? GROUP BY name ORDER BY name
        """)
    static let lastSequenceAtTime = SQLQuery("SELECT max(seq) FROM cell_versions WHERE instance_id = ? AND at <= ?")
    static let firstVersion = SQLQuery(
        "SELECT \(HistoryRecord.columns) FROM cell_versions WHERE instance_id = ? ORDER BY seq LIMIT 1")
    static let lastVersion = SQLQuery(
        "SELECT \(HistoryRecord.columns) FROM cell_versions WHERE instance_id = ? ORDER BY seq DESC LIMIT 1")
    static let cutoffByTime = SQLQuery("""
        SELECT coalesce((SELECT min(seq) FROM cell_versions WHERE instance_id = ?1 AND at >= ?2),
                        (SELECT max(seq) FROM cell_versions WHERE instance_id = ?1) + 1, 0)
        """)
    static let pastLastSequence = SQLQuery("SELECT max(seq) + 1 FROM cell_versions WHERE instance_id = ?")
    static let cutoffByCount = SQLQuery("SELECT seq FROM cell_versions WHERE instance_id = ? ORDER BY seq DESC LIMIT 1 OFFSET ?")
    // Each cell's last row before the cutoff holds its state there:
    // rewinding stays exact from the cutoff on.
    static let prune = SQLQuery("""
        DELETE FROM cell_versions WHERE instance_id = ?1 AND seq < ?2 AND (name, seq) NOT IN
            (SELECT name, max(seq) FROM cell_versions WHERE instance_id = ?1 AND seq < ?2 GROUP BY name)
        """)
    static let recordHistoryStart = SQLQuery("UPDATE instances SET history_since_seq = max(history_since_seq, ?) WHERE id = ?")
}
