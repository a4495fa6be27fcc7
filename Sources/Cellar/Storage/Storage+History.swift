/// The history: the rows of `cell_versions`, one per committed change to a
/// cell, written by the same transaction as the change, numbered per instance.

/// One row of the history.
struct HistoryRecord: Sendable, Equatable {
    let closureID: Int64
    let sequence: Int64
    let name: String
    /// The cell's state after the change; nil when the change removed it.
    let cell: CellRecord?
    let operation: String?
    /// Milliseconds since 1970, UTC.
    let at: Int64
}

extension Storage {
    // MARK: Operations

    /// Runs `body` with `operation` naming the changes it makes in the
    /// history. The outermost name wins: a transfer that deposits is a
    /// transfer.
    func withOperation<T>(_ operation: String?, _ body: () throws -> T) throws -> T {
        try withLock {
            guard let operation else { return try body() }
            operationNames.append(operation)
            defer { operationNames.removeLast() }
            return try body()
        }
    }

    // MARK: Reading

    /// A row of `cell_versions`, selected as `closure_id, seq, name, type,
    /// encoding, value, removed, operation, at`.
    static func historyRecord(_ row: Statement) -> HistoryRecord {
        let name = row.text(at: 2)
        let removed = row.integer(at: 6) != 0
        let cell = removed ? nil : CellRecord(
            name: name, type: row.text(at: 3), encoding: CellEncoding(rawValue: row.text(at: 4)) ?? .native, value: row.value(at: 5))
        return HistoryRecord(closureID: row.integer(at: 0), sequence: row.integer(at: 1), name: name, cell: cell,
                             operation: row.value(at: 7) == .null ? nil : row.text(at: 7), at: row.integer(at: 8))
    }

    /// A closure's history, newest first: at most `limit` rows, none written before `since`.
    func history(closureID: Int64, since: Int64?, limit: Int) throws -> [HistoryRecord] {
        try withLock {
            try statement("""
                SELECT closure_id, seq, name, type, encoding, value, removed, operation, at FROM cell_versions
                WHERE closure_id = ? AND at >= ? ORDER BY seq DESC LIMIT ?
                """).queryAll([.integer(closureID), .integer(since ?? .min), .integer(Int64(limit))], Self.historyRecord)
        }
    }

    /// Each cell's last row at or before number `sequence`: the closure's
    /// cells as they were then, removed ones included (as nil cells).
    func historyState(closureID: Int64, atOrBefore sequence: Int64) throws -> [HistoryRecord] {
        try withLock {
            // SQLite takes the bare columns from the row that holds max(seq).
            try statement("""
                SELECT closure_id, max(seq), name, type, encoding, value, removed, operation, at FROM cell_versions
                WHERE closure_id = ? AND seq <= ? GROUP BY name ORDER BY name
                """).queryAll([.integer(closureID), .integer(sequence)], Self.historyRecord)
        }
    }

    /// The number of a closure's last row written at or before `time`;
    /// nil when it has none that old.
    func lastHistorySequence(closureID: Int64, atOrBefore time: Int64) throws -> Int64? {
        try withLock {
            try statement("SELECT max(seq) FROM cell_versions WHERE closure_id = ? AND at <= ?")
                .queryOne([.integer(closureID), .integer(time)]) { $0.value(at: 0) == .null ? nil : $0.integer(at: 0) } ?? nil
        }
    }

    /// A closure's first and last rows still kept, if it has any.
    func historyBounds(closureID: Int64) throws -> (first: HistoryRecord, last: HistoryRecord)? {
        try withLock {
            guard let first = try statement("""
                SELECT closure_id, seq, name, type, encoding, value, removed, operation, at FROM cell_versions
                WHERE closure_id = ? ORDER BY seq LIMIT 1
                """).queryOne([.integer(closureID)], Self.historyRecord),
                let last = try statement("""
                SELECT closure_id, seq, name, type, encoding, value, removed, operation, at FROM cell_versions
                WHERE closure_id = ? ORDER BY seq DESC LIMIT 1
                """).queryOne([.integer(closureID)], Self.historyRecord)
            else { return nil }
            return (first, last)
        }
    }

    // MARK: Pruning

    /// Every instance that records history (a deleted one takes its rows along).
    func closureIDsWithHistory() throws -> [Int64] {
        try withLock {
            try statement("SELECT id FROM closures WHERE records_history = 1 ORDER BY id").queryAll { $0.integer(at: 0) }
        }
    }

    /// The first number of a closure's rows written at or after `time`, or
    /// one past its last if none was.
    func historyCutoff(closureID: Int64, writtenBefore time: Int64) throws -> Int64 {
        try withLock {
            try statement("""
                SELECT coalesce((SELECT min(seq) FROM cell_versions WHERE closure_id = ?1 AND at >= ?2),
                                (SELECT max(seq) FROM cell_versions WHERE closure_id = ?1) + 1, 0)
                """).queryOne([.integer(closureID), .integer(time)]) { $0.integer(at: 0) } ?? 0
        }
    }

    /// The number of a closure's `count`-th newest row (the first to keep),
    /// or one past its last when `count` is 0; nil if it has no more rows.
    func historyCutoff(closureID: Int64, keepingLast count: Int) throws -> Int64? {
        try withLock {
            if count == 0 {
                return try statement("SELECT max(seq) + 1 FROM cell_versions WHERE closure_id = ?")
                    .queryOne([.integer(closureID)]) { $0.value(at: 0) == .null ? nil : $0.integer(at: 0) } ?? nil
            }
            return try statement("SELECT seq FROM cell_versions WHERE closure_id = ? ORDER BY seq DESC LIMIT 1 OFFSET ?")
                .queryOne([.integer(closureID), .integer(Int64(count - 1))]) { $0.integer(at: 0) }
        }
    }

    /// Removes a closure's rows before number `cutoff`, but each cell's last
    /// one, which holds the cell's state at the cutoff; rewinding stays
    /// exact from there on. Returns how many rows went.
    func pruneHistory(closureID: Int64, before cutoff: Int64) throws -> Int {
        try withLock {
            try statement("""
                DELETE FROM cell_versions WHERE closure_id = ?1 AND seq < ?2 AND (name, seq) NOT IN
                    (SELECT name, max(seq) FROM cell_versions WHERE closure_id = ?1 AND seq < ?2 GROUP BY name)
                """).execute([.integer(closureID), .integer(cutoff)])
            let removed = changes
            try statement("UPDATE closures SET history_since_seq = max(history_since_seq, ?) WHERE id = ?")
                .execute([.integer(cutoff), .integer(closureID)])
            return removed
        }
    }
}
