internal import CSQLite
#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif
#if canImport(FoundationEssentials)
internal import FoundationEssentials
#else
internal import Foundation
#endif

/// The one place where Cellar meets SQLite: a connection, the lock that
/// serializes its use, transactions, and the bookkeeping that tells cells
/// whether the values they hold in memory are still the stored ones.
///
/// Cells and the store reach the file only through `Storage`'s methods, so
/// a different backing store would replace this type and nothing above it.
///
/// `@unchecked Sendable` is sound because every mutable property, the
/// connection and everything reached through it are touched only while
/// `lock` is held: every method takes the lock (it is recursive, so a
/// transaction's body can call back in on the same thread), and nothing
/// handed out by a method outlives it. The same lock makes Swift's run-time
/// exclusivity checks redundant on the properties the hot paths touch, so
/// they are marked `@exclusivity(unchecked)`: the checks cost a read served
/// from memory more than the rest of it.
final class Storage: @unchecked Sendable {
    /// The file's path as the user gave it, for messages.
    let path: String
    let busyTimeoutMilliseconds: Int
    /// No other connection can change the file while this one is open (an
    /// exclusively locked file, or one in memory): what a cell holds in
    /// memory is current until this connection changes or rolls back.
    let isExclusive: Bool

    private let lock = RecursiveLock()
    let connection: Connection  // used only under `lock`

    /// Increases whenever values cached in memory may no longer be the stored
    /// ones: another connection committed, or a transaction rolled back.
    /// A cell's cached value is good while it was read at the current generation.
    @exclusivity(unchecked) private(set) var generation: UInt64 = 0
    /// `PRAGMA data_version` at the last look outside a transaction.
    @exclusivity(unchecked) private var lastDataVersion: Int64 = 0
    /// The pager's data version after this connection's last commit, or at
    /// the last look inside a transaction.
    @exclusivity(unchecked) private var lastFileDataVersion: UInt32 = 0
    @exclusivity(unchecked) private var transactionDepth = 0
    /// Every write transaction runs these two: prepared once, they skip the
    /// statement cache's lookup.
    private let beginImmediate: Statement
    private let commit: Statement
    private var liveCells: [CellAddress: WeakCell] = [:]
    /// The operation names of the enclosing `withOperation` calls, outermost first.
    @exclusivity(unchecked) var operationNames: [String] = []
    /// Each instance's last change number, and the generation it is good for:
    /// a cache, emptied after a transaction that leaves more than
    /// `lastSequencesLimit` entries.
    @exclusivity(unchecked) var lastSequences: [Int64: (sequence: Int64, generation: UInt64)] = [:]
    private static let lastSequencesLimit = 1024
    private var liveCellsSweepThreshold = 64

    /// How a store file is opened.
    enum AccessMode: Sendable {
        /// Read and write; create the file if it does not exist.
        case create
        /// Read and write an existing file.
        case readWrite
        /// Read an existing file; never write to it.
        case readOnly
        /// Read an existing store's schema record, even one that needs
        /// migrating; never write to it.
        case inspectSchema
    }

    /// Opens (or creates) the store at `path` and brings its schema up to date.
    init(path: String, mode: AccessMode, durability: Durability, busyTimeoutMilliseconds: Int,
         isExclusive: Bool = false, migrator: Migrator = .embedded) throws {
        self.path = path
        self.busyTimeoutMilliseconds = busyTimeoutMilliseconds
        let isInMemory = path == ":memory:"
        let isWritable = mode == .create || mode == .readWrite
        self.isExclusive = isInMemory || (isExclusive && isWritable)
        let flags: Int32 = switch mode {
        case .create: SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
        case .readWrite: SQLITE_OPEN_READWRITE
        case .readOnly, .inspectSchema: SQLITE_OPEN_READONLY
        }
        if mode != .create, !isInMemory, !FileManager.default.fileExists(atPath: path) {
            throw StoreError.missing(path: path)
        }
        do {
            connection = try Connection(path: path, flags: flags)
            beginImmediate = try Statement(connection: connection, sql: "BEGIN IMMEDIATE", persistent: true)
            commit = try Statement(connection: connection, sql: "COMMIT", persistent: true)
        } catch {
            throw Self.explained(StoreError(error, path: path, busyTimeoutMilliseconds: busyTimeoutMilliseconds), path: path)
        }
        do {
            try prepareFile(mode: mode, durability: durability, migrator: migrator)
        } catch let error as StoreError {
            throw Self.explained(error, path: path)
        }
    }

    /// SQLite says "unable to open" both for a missing folder and for a store
    /// whose file or folder cannot be written (in WAL mode even a reader
    /// needs to create the `-shm` file): tell the second case by its name.
    private static func explained(_ error: StoreError, path: String) -> StoreError {
        guard case .cannotOpen = error, FileManager.default.fileExists(atPath: path) else { return error }
        let folder = path.lastIndex(of: "/").map { String(path[..<$0]) }.flatMap { $0.isEmpty ? "/" : $0 } ?? "."
        if access(path, W_OK) != 0 || access(folder, W_OK) != 0 {
            return .readOnly(path: path)
        }
        return error
    }

    /// Checks what the file is, then sets it up: WAL, durability, schema.
    private func prepareFile(mode: AccessMode, durability: Durability, migrator: Migrator) throws {
        let isInMemory = path == ":memory:"
        let locksFile = isExclusive && !isInMemory  // a store in memory is private anyway
        try withLock {
            connection.setBusyTimeout(milliseconds: busyTimeoutMilliseconds)
            if locksFile {
                // Before the first access: WAL then keeps its index in this
                // process's memory, and the locks, once taken, are kept.
                try connection.execute("PRAGMA locking_mode = EXCLUSIVE")
            }
            // Read what the file is before anything writes to it: a foreign
            // database must be left exactly as it was.
            let pending = try migrator.pendingMigrations(of: connection, path: path)
            if mode == .inspectSchema {
                if pending.count == migrator.migrations.count {
                    throw StoreError.notACellarStore(path: path)  // an empty file
                }
            } else if mode == .readOnly || connection.isReadOnly {
                if !pending.isEmpty {
                    guard mode == .readOnly else { throw StoreError.readOnly(path: path) }
                    throw StoreError.needsMigration(
                        path: path, fileVersion: migrator.latestVersion - pending.count,
                        supportedVersion: migrator.latestVersion)
                }
            } else {
                if !isInMemory {
                    // Switching to WAL takes an exclusive lock without calling the
                    // busy handler (it already holds a read lock), so it can fail at
                    // once while another process creates the same new file: retry.
                    let journalMode = try connection.retryingWhileBusy {
                        try connection.cachedStatement("PRAGMA journal_mode = WAL").queryOne { $0.text(at: 0) }
                    }
                    guard journalMode == "wal" else { throw StoreError.readOnly(path: path) }
                }
                try connection.execute(durability == .full ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL")
                if !pending.isEmpty {
                    try migrator.migrate(connection, path: path)
                }
            }
            try connection.execute("PRAGMA foreign_keys = ON")
            if locksFile {
                // A write transaction takes the exclusive lock, kept from now on.
                try connection.retryingWhileBusy { try connection.execute("BEGIN EXCLUSIVE; COMMIT") }
            }
            lastDataVersion = try currentDataVersion()
        }
    }

    // MARK: The lock

    /// Runs `body` while holding the lock; a SQLite failure leaves as the
    /// ``StoreError`` it stands for.
    func withLock<T>(_ body: () throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        do {
            return try body()
        } catch let error as SQLiteError {
            if let sql = error.sql {
                connection.evictCachedStatement(sql)
            }
            if transactionDepth > 0 && connection.isAutocommit {
                // A full disk or an I/O error can make SQLite roll the whole
                // transaction back: then no value cached since it began is
                // the stored one.
                generation &+= 1
            }
            throw StoreError(error, path: path, busyTimeoutMilliseconds: busyTimeoutMilliseconds)
        }
    }

    /// Runs `body` under the lock, after making sure the generation reflects
    /// every commit of other connections so far: a cell whose cached value
    /// is of the current generation may serve it without reading the file.
    func withFreshView<T>(_ body: () throws -> T) throws -> T {
        try withLock {
            if transactionDepth == 0 && !isExclusive {
                try noticeChangesByOthers()
            }
            return try body()
        }
    }

    /// A cached prepared statement; call it under the lock only.
    func statement(_ sql: StaticString) throws -> Statement {
        if transactionDepth > 0 && connection.isAutocommit {
            // SQLite rolled the whole transaction back after an error (disk
            // full, I/O): running on would commit statements one by one.
            throw StoreError.transactionAborted(path: path)
        }
        return try connection.cachedStatement(sql)
    }

    /// Rows changed by the latest write statement; call it under the lock only.
    var changes: Int { connection.changes }
    var lastInsertedRowID: Int64 { connection.lastInsertedRowID }

    // MARK: Transactions

    /// Runs `body` in a write transaction: `BEGIN IMMEDIATE` at the outermost
    /// level, a savepoint inside another transaction. Commits if `body`
    /// returns, rolls back and rethrows if it throws; after a rollback every
    /// cached value is read again from the file.
    func transaction<T>(operation: String? = nil, _ body: () throws -> T) throws -> T {
        try withOperation(operation) {
            transactionDepth == 0 ? try outermostTransaction(body) : try savepoint(body)
        }
    }

    /// Runs `body`, which changes the file with at most one statement, in a
    /// write transaction: `BEGIN IMMEDIATE` at the outermost level. Inside
    /// another transaction `body` runs without a savepoint of its own: a
    /// statement is atomic by itself, and if `body` throws before it, there
    /// is nothing to undo; should SQLite roll the whole transaction back,
    /// `withLock` sees it. (A savepoint per change made a million updates in
    /// one transaction three times as slow as the C floor.)
    func singleStatementTransaction<T>(operation: String? = nil, _ body: () throws -> T) throws -> T {
        try withOperation(operation) {
            transactionDepth == 0 ? try outermostTransaction(body) : try body()
        }
    }

    private func outermostTransaction<T>(_ body: () throws -> T) throws -> T {
        try beginImmediate.execute()
        transactionDepth = 1
        defer {
            transactionDepth = 0
            // Memory follows the instances in use: an import or a restore of
            // many instances must not leave one entry each behind for good.
            if lastSequences.count > Self.lastSequencesLimit { lastSequences.removeAll() }
        }
        do {
            // With the write lock held no one else can commit: one look at the
            // data version covers the whole transaction.
            noticeChangesByOthersInTransaction()
            let result = try body()
            try commit.execute()
            lastFileDataVersion = connection.fileDataVersion
            return result
        } catch {
            rollBack("ROLLBACK")
            throw error
        }
    }

    /// Runs `body` in a read transaction: everything it reads comes from one
    /// snapshot of the file, while other connections may go on writing.
    /// Inside a write transaction `body` simply runs. Not for cell
    /// operations: they assume a write transaction or none.
    func readSnapshot<T>(_ body: () throws -> T) throws -> T {
        try withLock {
            guard connection.isAutocommit else { return try body() }
            try statement("BEGIN DEFERRED").execute()
            do {
                let result = try body()
                try statement("COMMIT").execute()
                return result
            } catch {
                if !connection.isAutocommit { try? connection.cachedStatement("ROLLBACK").execute() }
                throw error
            }
        }
    }

    private func savepoint<T>(_ body: () throws -> T) throws -> T {
        try statement("SAVEPOINT cellar").execute()
        transactionDepth += 1
        defer { transactionDepth -= 1 }
        do {
            let result = try body()
            try statement("RELEASE cellar").execute()
            return result
        } catch {
            // ROLLBACK TO keeps the savepoint open; RELEASE closes it.
            rollBack("ROLLBACK TO cellar; RELEASE cellar")
            throw error
        }
    }

    /// Undoes the transaction or savepoint after `body` failed.
    private func rollBack(_ sql: String) {
        // Any value cached during the transaction may be gone from the file.
        generation &+= 1
        guard !connection.isAutocommit else { return }  // SQLite already rolled back
        // A failing rollback is not reported: the error that caused it is
        // already on its way to the caller, and SQLite rolls back the
        // transaction anyway when the connection closes or the next BEGIN fails.
        try? connection.execute(sql)
    }

    // MARK: Changes by other connections

    private func currentDataVersion() throws -> Int64 {
        try connection.cachedStatement("PRAGMA data_version").queryOne { $0.integer(at: 0) } ?? 0
    }

    /// Bumps the generation if another connection committed since this one
    /// last committed or looked, inside a write transaction.
    ///
    /// `BEGIN IMMEDIATE` has just brought the pager up to date, so its data
    /// version, read without running a statement, tells what `PRAGMA
    /// data_version` would, except that it counts this connection's commits
    /// too: hence the baseline taken after each of them.
    private func noticeChangesByOthersInTransaction() {
        let version = connection.fileDataVersion
        if version != lastFileDataVersion {
            lastFileDataVersion = version
            generation &+= 1
        }
    }

    /// Bumps the generation if another connection committed since the last look.
    private func noticeChangesByOthers() throws {
        let version = try currentDataVersion()
        if version != lastDataVersion {
            lastDataVersion = version
            generation &+= 1
        }
    }

    /// Makes every cell read its value from the file again, e.g. after an
    /// instance was deleted.
    func invalidateCachedValues() {
        lock.lock()
        defer { lock.unlock() }
        generation &+= 1
    }

    // MARK: Cells in use

    /// The live cell object for `address`, so that restoring a key twice in
    /// one process gives closures that share the same cells.
    func liveCell(at address: CellAddress) -> AnyObject? {
        lock.lock()
        defer { lock.unlock() }
        return liveCells[address]?.cell
    }

    func registerLiveCell(_ cell: AnyObject, at address: CellAddress) {
        lock.lock()
        defer { lock.unlock() }
        liveCells[address] = WeakCell(cell: cell)
        // Memory follows the cells in use, not every cell ever restored.
        if liveCells.count >= liveCellsSweepThreshold {
            liveCells = liveCells.filter { $0.value.cell != nil }
            liveCellsSweepThreshold = max(64, liveCells.count * 2)
        }
    }
}

/// Where a cell lives: its closure instance's row and its name.
struct CellAddress: Hashable, Sendable {
    let closureID: Int64
    let name: String
}

private struct WeakCell {
    weak var cell: AnyObject?
}
