#if PostgreSQL
#if canImport(FoundationEssentials)
internal import FoundationEssentials
#else
internal import Foundation
#endif

/// A store in a PostgreSQL database: the ``StorageBackend`` that connects
/// with libpq, brings the store's schema up to date from
/// `Migrations/PostgreSQL/` (under an advisory lock, so that many hosts
/// starting at once migrate once), and runs the engine's transactions and
/// queries on one connection.
///
/// How it matches SQLite's semantics, with few round trips:
/// - Another host can commit at any moment and says nothing: every read
///   outside a write transaction asks the server (`othersCommittedSinceLastLook`
///   is always true), so a cell's value is never served from memory.
/// - Writers are not serialized by a file lock. Instead, a write
///   transaction locks each instance it reads or changes before it reads
///   it, and reads what it needs of it in the same round trip: a
///   read-modify-write works on the current value, runs once, and no update
///   is lost. What it read stays true until it commits, so its reads of that
///   instance are served from memory. The lock is a transaction-level
///   advisory lock on the instance's id (in the store's schema), which every
///   writer of the instance takes first: unlike a row lock it writes
///   nothing, so a transaction that only read (a restore) commits without a
///   transaction id or a WAL record.
/// - Statements whose rows nobody waits for (`BEGIN`, locks, writes in a
///   transaction, `COMMIT`) are queued and sent with the next round trip
///   (libpq's pipeline mode): an `update` takes two round trips, the first
///   `BEGIN`, the lock and the read, the second the write and `COMMIT`.
///   `BEGIN` waits for the transaction's first lock or write: until then,
///   reads run on their own, which under READ COMMITTED is the same.
/// - A statement that fails aborts the whole transaction, savepoints aside.
/// - A connection that broke is opened again at the next call, never in
///   the middle of one: nothing is applied twice.
final class PostgreSQLBackend: StorageBackend {
    let connection: PGConnection
    let location: String
    let isExclusive = false
    let groupsCommits = false
    /// The PostgreSQL schema the store's tables live in.
    let schema: String
    /// Where its commits are announced (see ``changeChannel(schema:)``).
    let changeChannel: String
    /// How long a statement waits for another connection's lock.
    private let busyTimeoutMilliseconds: Int
    /// Run on every new connection: durability, schema, lock timeout, access.
    private let sessionSetup: [String]
    /// Opened read-only: every transaction is, and there is nothing to lock.
    private let isReadOnly: Bool
    private(set) var transaction = TransactionState.none
    /// The instances this write transaction has locked, with what it read
    /// of them under the lock.
    var lockedInstances: [Int64: LockedInstance] = [:]
    /// The locked instances whose last sequence is on its way.
    private var pendingReads: Set<Int64> = []
    /// Which run of its transaction this is: 1, or more after conflicts.
    private var attempt = 1
    /// Whether this transaction waits for further locks briefly only.
    private var waitsBriefly = false
    /// Whether this transaction wrote: it then tells watchers at its commit.
    private var wroteChanges = false
    /// How to open another connection to the store, for watches: the URL
    /// (with its password, never shown) and the options it was opened with.
    let reopen: @Sendable () throws -> PostgreSQLBackend

    enum TransactionState {
        case none
        /// A write transaction whose `BEGIN` waits for its first lock or write.
        case writePending
        case writing
        case reading
    }

    /// Connects to the store at `url` (`postgresql://user@host:port/db`, with
    /// `?schema=NAME` for a store of its own in a shared database) and
    /// brings its schema up to date.
    ///
    /// - Parameter access: `.createIfMissing` creates the schema and applies
    ///   pending migrations; `.existingOnly` applies them to an existing
    ///   store; `.readOnly` changes nothing, and every transaction is read-only.
    init(url: String, durability: Durability, access: Store.Access = .createIfMissing, busyTimeoutMilliseconds: Int = 5_000,
         migrator: Migrator = .embeddedPostgreSQL) throws {
        let parsed = try PostgreSQLURL(url)
        self.location = parsed.redacted
        self.schema = parsed.schema
        self.changeChannel = Self.changeChannel(schema: parsed.schema)
        self.reopen = { try PostgreSQLBackend(url: url, durability: durability, access: access == .readOnly ? .readOnly : .existingOnly,
                                              busyTimeoutMilliseconds: busyTimeoutMilliseconds, migrator: migrator) }
        self.isReadOnly = access == .readOnly
        self.busyTimeoutMilliseconds = busyTimeoutMilliseconds
        self.sessionSetup = [
            "SET synchronous_commit = \(durability == .full ? "on" : "off")",
            "SET search_path = \(Self.quotedIdentifier(parsed.schema))",
            // 0 would mean no limit: wait forever.
            "SET lock_timeout = \(max(1, busyTimeoutMilliseconds))",
        ] + (access == .readOnly ? ["SET default_transaction_read_only = on"] : [])
        do {
            connection = try PGConnection(connectionString: parsed.connectionString, location: parsed.redacted)
            try connection.execute(sessionSetup[0])
            let status = try Self.migrationStatus(of: connection, schema: schema, location: location, migrator: migrator)
            if status.applied.isEmpty && access != .createIfMissing {
                throw StoreError.missing(path: location)
            }
            if !status.pending.isEmpty {
                guard access != .readOnly else {
                    throw StoreError.needsMigration(path: location, fileVersion: status.applied.last?.version ?? 0,
                                                    supportedVersion: migrator.latestVersion)
                }
                try migrate(with: migrator)
            }
            for statement in sessionSetup.dropFirst() {
                try connection.execute(statement)
            }
            connection.sessionSetup = sessionSetup
        } catch {
            throw Self.storeError(for: error, location: parsed.redacted, busyTimeoutMilliseconds: busyTimeoutMilliseconds)
        }
    }

    /// Which migrations the store at `url` has, read without changing anything.
    static func migrationStatus(url: String, migrator: Migrator = .embeddedPostgreSQL) throws -> MigrationStatus {
        let parsed = try PostgreSQLURL(url)
        do {
            let connection = try PGConnection(connectionString: parsed.connectionString, location: parsed.redacted)
            let status = try migrationStatus(of: connection, schema: parsed.schema, location: parsed.redacted, migrator: migrator)
            guard !status.applied.isEmpty else { throw StoreError.missing(path: parsed.redacted) }
            return status
        } catch {
            throw storeError(for: error, location: parsed.redacted)
        }
    }

    /// The migrations recorded in `schema` and those still to apply; throws
    /// for a schema that holds something else, or a store of a newer Cellar.
    private static func migrationStatus(of connection: PGConnection, schema: String, location: String,
                                        migrator: Migrator) throws -> MigrationStatus {
        let table = quotedIdentifier(schema) + ".cellar_migrations"
        // One statement, so one snapshot: read apart, another host could
        // migrate between the two and make a new store look foreign.
        let header = try connection.query("SELECT to_regclass($1) IS NOT NULL, (SELECT count(*) FROM pg_tables WHERE schemaname = $2)",
                                          [.text(table), .text(schema)])
        guard header.bool(0, 0) else {
            if header.integer(0, 1) > 0 {
                throw StoreError.notACellarStore(path: location)
            }
            return MigrationStatus(applied: [], pending: migrator.migrations.map { .init(version: $0.version, name: $0.name, appliedAt: nil) })
        }
        let rows = try connection.query("SELECT version, name, applied_at FROM \(table) ORDER BY version")
        let applied = (0..<rows.count).map {
            MigrationStatus.Migration(version: Int(rows.integer($0, 0)), name: rows.text($0, 1), appliedAt: rows.text($0, 2))
        }
        if let newest = applied.last, newest.version > migrator.latestVersion {
            throw StoreError.newerSchema(path: location, fileVersion: newest.version, supportedVersion: migrator.latestVersion)
        }
        let versions = Set(applied.map(\.version))
        return MigrationStatus(applied: applied, pending: migrator.migrations.filter { !versions.contains($0.version) }
            .map { .init(version: $0.version, name: $0.name, appliedAt: nil) })
    }

    /// `"name"`, with quotes doubled: an identifier PostgreSQL reads as written.
    static func quotedIdentifier(_ name: String) -> String {
        "\"" + name.split(separator: "\"", omittingEmptySubsequences: false).joined(separator: "\"\"") + "\""
    }

    // MARK: Schema

    /// Applies the pending migrations, each in its own transaction, under
    /// an advisory lock that makes every other host wait its turn.
    private func migrate(with migrator: Migrator) throws {
        let lockKey = "cellar:" + schema
        while true {
            try connection.execute("BEGIN")
            do {
                try connection.query("SELECT pg_advisory_xact_lock(hashtext($1))", [.text(lockKey)])
                try connection.execute("CREATE SCHEMA IF NOT EXISTS \(Self.quotedIdentifier(schema))")
                try connection.query("SELECT set_config('search_path', $1, true)", [.text(Self.quotedIdentifier(schema))])
                // Read again under the lock: another host may have migrated meanwhile.
                let status = try Self.migrationStatus(of: connection, schema: schema, location: location, migrator: migrator)
                guard let pending = status.pending.first,
                      let next = migrator.migrations.first(where: { $0.version == pending.version }) else {
                    try connection.execute("COMMIT")
                    return
                }
                try connection.execute(next.sql)
                try connection.query("INSERT INTO cellar_migrations (version, name) VALUES ($1, $2)",
                                     [.integer(Int64(next.version)), .text(next.name)])
                try connection.execute("COMMIT")
            } catch {
                if connection.isInTransaction { try? connection.execute("ROLLBACK") }
                throw error
            }
        }
    }

    // MARK: Errors

    func storeError(for error: any Error) -> any Error {
        Self.storeError(for: error, location: location, busyTimeoutMilliseconds: busyTimeoutMilliseconds)
    }

    private static func storeError(for error: any Error, location: String, busyTimeoutMilliseconds: Int = 5_000) -> any Error {
        guard let error = error as? PostgreSQLError else { return error }
        // Kept as it is, so that the transaction runs again (see isRetryable).
        guard !error.isRetryable else { return StoreError.postgreSQL(error) }
        switch error.sqlState {
        case "55P03": return StoreError.busy(path: location, timeoutMilliseconds: busyTimeoutMilliseconds)
        case "25P02": return StoreError.transactionAborted(path: location)
        case "53100": return StoreError.diskFull(path: location)
        case "25006": return StoreError.readOnly(path: location)
        case "08001", "57P03", "28000", "28P01", "3D000": return StoreError.cannotConnect(path: location, reason: error.message)
        case "22021": return StoreError.postgreSQL(PostgreSQLError(sqlState: error.sqlState, message: error.message))
        case _ where error.isConnectionFailure: return StoreError.connectionLost(path: location, mayHaveCommitted: false)
        default: return StoreError.postgreSQL(error)
        }
    }

    func isRetryable(_ error: any Error) -> Bool {
        switch error {
        case let error as PostgreSQLError: error.isRetryable
        case StoreError.postgreSQL(let error): error.isRetryable
        default: false
        }
    }

    // MARK: Transactions

    func beginWrite(attempt: Int) throws -> Bool {
        try connection.reconnectIfLost()
        transaction = .writePending
        lockedInstances.removeAll(keepingCapacity: true)
        self.attempt = attempt
        return true  // another host may have committed at any time
    }

    func beginRead() throws -> Bool {
        try connection.reconnectIfLost()
        // Sent with the first read: the snapshot is taken there.
        try connection.enqueue("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        transaction = .reading
        return true
    }

    /// Queues the write transaction's `BEGIN`, before its first lock or
    /// write, with a shared lock on the store's changes: a watcher takes it
    /// exclusively for a moment to know that every change number handed out
    /// before has committed or never will (see ``settledChangeNumber()``).
    /// Writers never wait for each other on it; taken before any instance's
    /// lock, it never closes a cycle of waits.
    func beginIfPending() throws {
        guard transaction == .writePending else { return }
        try connection.enqueue("BEGIN")
        try connection.enqueue(Queries.lockChangesShared, [.text(schema)])
        transaction = .writing
    }

    func commit() throws {
        defer { endTransaction() }
        guard transaction == .writing else { return }  // nothing was sent
        if connection.transactionState == .failed && !connection.hasQueued {
            // COMMIT would answer ROLLBACK without an error.
            throw StoreError.transactionAborted(path: location)
        }
        if wroteChanges {
            // Delivered to listeners at the commit, if it commits.
            try connection.enqueue("SELECT pg_notify($1, '')", [.text(changeChannel)])
        }
        try connection.enqueue("COMMIT")
        do {
            try connection.flush()
        } catch {
            let failure: PostgreSQLError = error
            guard !failure.isConnectionFailure else { throw StoreError.connectionLost(path: location, mayHaveCommitted: true) }
            throw failure
        }
    }

    func endRead() throws {
        defer { endTransaction() }
        if connection.hasQueued {
            connection.discardQueue()  // only its BEGIN: nothing was read
        } else if connection.isInTransaction {
            try connection.query("COMMIT")
        }
    }

    func rollBack() {
        defer { endTransaction() }
        connection.discardQueue()
        pendingReads.removeAll()
        guard connection.isConnected, connection.isInTransaction else { return }
        try? connection.execute("ROLLBACK")
    }

    private func endTransaction() {
        transaction = .none
        waitsBriefly = false
        wroteChanges = false
        connection.givesUpLockWaits = false
        // Kept for the next transaction: most lock as many instances.
        lockedInstances.removeAll(keepingCapacity: true)
        pendingReads.removeAll(keepingCapacity: true)
    }

    func beginSavepoint() throws {
        try beginIfPending()
        try connection.enqueue("SAVEPOINT cellar")
    }

    func releaseSavepoint() throws {
        try connection.enqueue("RELEASE SAVEPOINT cellar")
    }

    func rollBackToSavepoint() {
        // What was read under the locks may have been changed since the savepoint.
        for rowID in lockedInstances.keys { lockedInstances[rowID]?.forget() }
        try? connection.enqueue("ROLLBACK TO SAVEPOINT cellar")
        try? connection.enqueue("RELEASE SAVEPOINT cellar")
        try? connection.flush()
    }

    /// False after a failed statement: PostgreSQL then only takes a rollback.
    var isInTransaction: Bool {
        transaction == .writePending || connection.transactionState == .inTransaction
    }

    func othersCommittedSinceLastLook() throws -> Bool {
        try connection.reconnectIfLost()
        return true
    }

    // MARK: Locks

    /// Inside a write transaction, locks instance `rowID`'s row until the
    /// transaction ends, and reads its last sequence right after, in the
    /// round trip of the next statement (which is usually the read of a
    /// cell): writers of one instance take turns, and each reads what the
    /// one before committed. Outside a write transaction, or when the
    /// instance is locked already, nothing.
    func lockForWriting(instance rowID: Int64) throws {
        guard isWriting, lockedInstances[rowID] == nil else { return }
        try beginIfPending()
        try prepareToLock()
        try connection.enqueue(Queries.lockInstance, [.text(schema), .integer(rowID)])
        lockedInstances[rowID] = LockedInstance()
        pendingReads.insert(rowID)
        // A statement of its own, after the lock: it sees what the last writer committed.
        try connection.enqueue("SELECT coalesce(max(seq), 0) FROM cell_versions WHERE instance_id = $1", [.integer(rowID)]) {
            [unowned self] rows in
            pendingReads.remove(rowID)
            lockedInstances[rowID]?.lastSequence = rows.integer(0, 0)
        }
    }

    /// Before a lock: once the transaction holds one, it waits for others
    /// briefly only, 20 ms at its first run, twice as long at each next one
    /// (at most the busy timeout), then runs again from the start.
    ///
    /// Two transactions that lock two instances in opposite orders (a
    /// transfer each way) deadlock; PostgreSQL finds that only after
    /// `deadlock_timeout` (1 s by default), which only a superuser may
    /// lower. Giving up the wait ends such a deadlock in 20 ms; a lock held
    /// long by a writer that is not waiting on us is still waited for,
    /// run after run, up to about the busy timeout in all.
    func prepareToLock() throws {
        guard !lockedInstances.isEmpty, !waitsBriefly else { return }
        let milliseconds = min(busyTimeoutMilliseconds, 20 << min(attempt - 1, 16))
        try connection.enqueue("SET LOCAL lock_timeout = \(max(1, milliseconds))")
        waitsBriefly = true
        connection.givesUpLockWaits = true
    }

    /// The last sequence of locked instance `rowID`, read under the lock;
    /// nil when not locked or not known.
    func lockedLastSequence(ofInstance rowID: Int64) throws -> Int64? {
        if pendingReads.contains(rowID) { try connection.flush() }
        return lockedInstances[rowID]?.lastSequence
    }

    /// Queues a change to instance `rowID` (locked first), or to no
    /// instance, to go with the next round trip; what was read of the
    /// instance is read again after it (of cell `cell` alone, when the
    /// change is to that cell).
    func queueWrite(to rowID: Int64?, cell: String? = nil, sequence: Int64? = nil, _ sql: PGStatement, _ parameters: [PGParameter],
                    expectedChangedRows: Int? = nil) throws {
        if let rowID { try lockForWriting(instance: rowID) }
        try beginIfPending()
        wroteChanges = true
        try connection.enqueue(sql, parameters, expectedChangedRows: expectedChangedRows)
        noteWrite(to: rowID, cell: cell, sequence: sequence)
    }

    /// Runs a change now, inside the write transaction, and returns its rows.
    @discardableResult
    func write(_ sql: PGStatement, _ parameters: [PGParameter] = []) throws -> PGRows {
        try beginIfPending()
        wroteChanges = true
        return try connection.query(sql, parameters)
    }

    /// Remembers that instance `rowID` changed (its cell `cell` alone,
    /// with version `sequence` if it got a new one): what changed is read
    /// again.
    func noteWrite(to rowID: Int64?, cell: String? = nil, sequence: Int64? = nil) {
        guard let rowID else { return }
        if let cell {
            lockedInstances[rowID]?.changed(cell, sequence: sequence)
        } else {
            lockedInstances[rowID]?.forget()
        }
    }

    /// In a write transaction of a store opened for writing: where reads lock.
    var isWriting: Bool {
        !isReadOnly && (transaction == .writing || transaction == .writePending)
    }
}

extension Migrator {
    /// The PostgreSQL backend's migrations, as embedded from `Migrations/PostgreSQL/`.
    static let embeddedPostgreSQL = Migrator(files: embeddedMigrationFiles["PostgreSQL"] ?? [])
}
#endif
