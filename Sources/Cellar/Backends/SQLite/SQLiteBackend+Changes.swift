/// Change numbers and watches: the journal beside the file numbers
/// changes and names the instances they touched; the `change` column of
/// each version and `instance_deletions` say what changed.
extension SQLiteBackend {
    /// The journal, mapped at the first change or watch. A store in memory,
    /// or held by this connection alone, keeps it in this process's memory.
    func changeJournal() throws -> ChangeJournal {
        if let journal { return journal }
        let storeID = try statement(Queries.storeID).queryOne { $0.text(at: 0) } ?? ""
        let mapped = try ChangeJournal(storePath: isExclusive ? nil : path, storeID: storeID, writable: !isReadOnlyConnection)
        journal = mapped
        return mapped
    }

    /// The number of the change being written to instance `rowID`, in the
    /// open write transaction; reserves a block of numbers in the file when
    /// the last one is used up.
    func nextChangeNumber(touching rowID: Int64) throws -> Int64 {
        // A store opened read-only: SQLite would refuse the write anyway.
        guard !isReadOnlyConnection else { throw StoreError.readOnly(path: path) }
        let journal = try changeJournal()
        try journal.adopt { try reservedChangeNumber() }
        if let number = journal.nextNumber(touching: rowID) { return number }
        let start = max(journal.lastNumber, try reservedChangeNumber())
        let limit = start + ChangeJournal.reservationBlock
        try statement(Queries.reserve).execute([.integer(limit)])
        return journal.nextNumber(afterReserving: start, upTo: limit, touching: rowID)
    }

    /// A number no committed change exceeds.
    private func reservedChangeNumber() throws -> Int64 {
        try statement(Queries.reserved).queryOne { $0.integer(at: 0) } ?? 0
    }

    func settledChangeNumber() throws -> Int64 {
        let journal = try changeJournal()
        // A journal no writer has adopted since it was made, or since the
        // machine booted, knows nothing: every change up to the reserved
        // number has committed (a writer's first number will be above it).
        return journal.isAdopted ? journal.committed : try reservedChangeNumber()
    }

    /// The instances of the scope that the journal says changed (all of
    /// the scope when it cannot say), then, cell by cell, their versions
    /// newest first down to `after`; and the deletions.
    func changes(in scope: ChangeScope, after: Int64, through: Int64) throws -> [ChangeRecord] {
        guard through > after else { return [] }
        let touched = try changeJournal().instancesTouched(after: after, through: through)
        var records: [ChangeRecord] = []
        for instance in try instances(in: scope, touched: touched) {
            for name in try scope.cell.map({ [$0] }) ?? cellNames(ofInstance: instance.rowID) {
                try statement(Queries.versionsNewestFirst).queryWhile([.integer(instance.rowID), .text(name)]) { row in
                    let number = row.optionalInteger(at: 9) ?? 0  // NULL: written before numbering began
                    guard number > after else { return false }
                    if number <= through {
                        let version = HistoryRecord(row: row)
                        records.append(ChangeRecord(number: number, instance: instance.id, version: version, at: version.at))
                    }
                    return true
                }
            }
        }
        let instance = scope.instance
        records += try statement(Queries.deletions).queryAll([
            .integer(after), .integer(through), scope.factory.sqliteValue, instance.map { .text($0.key) } ?? .null,
        ]) { row in
            ChangeRecord(number: row.integer(at: 0), instance: InstanceID(factory: row.text(at: 1), key: row.text(at: 2)),
                         version: nil, at: row.integer(at: 3))
        }
        return records.sorted { $0.number < $1.number }
    }

    /// The instances of `scope`, only those in `touched` when it is known.
    private func instances(in scope: ChangeScope, touched: Set<Int64>?) throws -> [InstanceRecord] {
        if let id = scope.instance {
            guard let instance = try instance(id), touched?.contains(instance.rowID) ?? true else { return [] }
            return [instance]
        }
        if let touched {
            return try touched.sorted().compactMap { try instance(rowID: $0) }
                .filter { instance in scope.factory.map { instance.id.factory == $0 } ?? true }
        }
        if let factory = scope.factory { return try instances(of: factory) }
        return try factoryNames().flatMap { try instances(of: $0) }
    }

    func openWatchConnection() throws -> (any StorageBackend)? {
        guard !isExclusive else { return nil }
        return try SQLiteBackend(path: path, mode: isReadOnlyConnection ? .readOnly : .readWrite, durability: .normal,
                                 busyTimeoutMilliseconds: busyTimeoutMilliseconds)
    }

    func makeCommitWaiter(reader: Engine) throws -> any CommitWaiter {
        JournalCommitWaiter(journal: try changeJournal(), reader: reader)
    }
}

/// Waits on the journal's wake word: a futex on Linux, which a writer in
/// any process wakes after its commit.
///
/// `@unchecked Sendable`: the journal's words are read and written with
/// atomics; `count` belongs to the one thread that prepares and waits.
private final class JournalCommitWaiter: CommitWaiter, @unchecked Sendable {
    private let journal: ChangeJournal
    /// Reads the reserved number while no writer has adopted the journal.
    private let reader: Engine
    private var count: UInt32 = 0

    init(journal: ChangeJournal, reader: Engine) {
        self.journal = journal
        self.reader = reader
    }

    func prepare() {
        count = journal.wakeCount
    }

    func settledChangeNumber() throws -> Int64 {
        if journal.isAdopted { return journal.committed }
        return try reader.fresh { session in try session.settledChangeNumber() }
    }

    func wait(timeoutMilliseconds: Int32) {
        journal.wait(whileWakeCountIs: count, timeoutMilliseconds: timeoutMilliseconds)
    }

    func interrupt() {
        journal.wakeWatchers()
    }
}

private enum Queries {
    static let storeID = SQLQuery("SELECT store_id FROM change_numbers")
    static let reserved = SQLQuery("SELECT reserved FROM change_numbers")
    static let reserve = SQLQuery("UPDATE change_numbers SET reserved = ?")
    static let versionsNewestFirst = SQLQuery(
        "SELECT \(HistoryRecord.columns), change FROM cell_versions WHERE instance_id = ? AND name = ? ORDER BY seq DESC")
    static let deletions = SQLQuery("""
        SELECT change, factory, key, at FROM instance_deletions
        WHERE change > ?1 AND change <= ?2 AND (?3 IS NULL OR factory = ?3) AND (?4 IS NULL OR key = ?4)
        """)
}
