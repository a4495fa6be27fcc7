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

/// A store in one SQLite file: the ``StorageBackend`` that opens the file,
/// brings its schema up to date from `Migrations/SQLite/`, and runs the
/// engine's transactions and queries on one connection.
///
/// SQLite-specific choices live here and nowhere else: WAL mode, the
/// exclusive locking mode, `BEGIN IMMEDIATE`, `PRAGMA data_version` and the
/// pager's data version to notice other processes' commits, `INDEXED BY`,
/// `VACUUM INTO` for backups.
final class SQLiteBackend: StorageBackend {
    /// The file's path as the user gave it, for messages.
    let path: String
    let busyTimeoutMilliseconds: Int
    let isExclusive: Bool
    /// One connection, one writer at a time: its fsync is worth sharing.
    let groupsCommits = true
    let connection: Connection

    /// `PRAGMA data_version` at the last look outside a transaction.
    @exclusivity(unchecked) private var lastDataVersion: Int64 = 0
    /// The pager's data version after this connection's last commit, or at
    /// the start of the last write transaction.
    @exclusivity(unchecked) private var lastFileDataVersion: UInt32 = 0
    /// True between `beginWrite` and its end: a statement run while SQLite
    /// says no transaction is open means SQLite rolled it back by itself.
    @exclusivity(unchecked) private var expectsWriteTransaction = false
    /// The journal's reservation when each open savepoint began, innermost
    /// last: a block of change numbers reserved inside a savepoint that
    /// rolls back was never reserved.
    private var reservationsAtSavepoints: [Int64?] = []
    /// Every write transaction runs these two: prepared once, they skip the
    /// statement cache's lookup.
    private let beginImmediateStatement: Statement
    private let commitStatement: Statement
    /// The shared memory that numbers changes and wakes watchers, mapped
    /// at the first change or watch (see ``changeJournal()``).
    var journal: ChangeJournal?
    /// SQLite opened the file read-only (by request, or for want of
    /// permission); asked once, since every change number checks it.
    private(set) lazy var isReadOnlyConnection = connection.isReadOnly

    /// How a store file is opened.
    enum OpenMode: Sendable {
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
    ///
    /// - Parameter exclusive: Lock the file for this connection alone while
    ///   it is open (a read-only store is never exclusive; one in memory
    ///   always is).
    init(path: String, mode: OpenMode, durability: Durability, busyTimeoutMilliseconds: Int,
         exclusive: Bool = false, migrator: Migrator = .embedded) throws {
        self.path = path
        self.busyTimeoutMilliseconds = busyTimeoutMilliseconds
        let isInMemory = path == ":memory:"
        let isWritable = mode == .create || mode == .readWrite
        self.isExclusive = isInMemory || (exclusive && isWritable)
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
            beginImmediateStatement = try Statement(connection: connection, sql: "BEGIN IMMEDIATE", persistent: true)
            commitStatement = try Statement(connection: connection, sql: "COMMIT", persistent: true)
            try prepareFile(mode: mode, durability: durability, migrator: migrator)
        } catch {
            throw Self.explained(Self.storeError(for: error, path: path, busyTimeoutMilliseconds: busyTimeoutMilliseconds), path: path)
        }
    }

    var location: String { path }

    /// SQLite says "unable to open" both for a missing folder and for a store
    /// whose file or folder cannot be written (in WAL mode even a reader
    /// needs to create the `-shm` file): tell the second case by its name.
    private static func explained(_ error: any Error, path: String) -> any Error {
        guard case StoreError.cannotOpen = error, FileManager.default.fileExists(atPath: path) else { return error }
        if access(path, W_OK) != 0 || access(folder(of: path), W_OK) != 0 {
            return StoreError.readOnly(path: path)
        }
        return error
    }

    /// Checks what the file is, then sets it up: WAL, durability, schema.
    private func prepareFile(mode: OpenMode, durability: Durability, migrator: Migrator) throws {
        let isInMemory = path == ":memory:"
        let locksFile = isExclusive && !isInMemory  // a store in memory is private anyway
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
                    path: path, fileVersion: migrator.latestVersion - pending.count, supportedVersion: migrator.latestVersion)
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

    /// The statement for `query`, to run now.
    func statement(_ query: SQLQuery) throws -> Statement {
        if expectsWriteTransaction && connection.isAutocommit {
            // SQLite rolled the whole transaction back after an error (disk
            // full, I/O): running on would commit statements one by one.
            throw StoreError.transactionAborted(path: path)
        }
        return try connection.cachedStatement(query)
    }

    /// Never: SQLite's write lock makes writers wait their turn, so they
    /// never deadlock, and a busy store is reported, not retried.
    func isRetryable(_ error: any Error) -> Bool {
        false
    }

    func storeError(for error: any Error) -> any Error {
        if let error = error as? SQLiteError, let sql = error.sql {
            // Like GRDB: prepare a statement afresh next time rather than
            // reuse one whose last run ended in an error.
            connection.evictCachedStatement(sql)
        }
        return Self.storeError(for: error, path: path, busyTimeoutMilliseconds: busyTimeoutMilliseconds)
    }

    private static func storeError(for error: any Error, path: String, busyTimeoutMilliseconds: Int) -> any Error {
        guard let error = error as? SQLiteError else { return error }
        return StoreError(error, path: path, busyTimeoutMilliseconds: busyTimeoutMilliseconds)
    }

    // MARK: Transactions

    func beginWrite(attempt: Int) throws -> Bool {
        try beginImmediateStatement.execute()
        expectsWriteTransaction = true
        // `BEGIN IMMEDIATE` has just brought the pager up to date, so its data
        // version, read without running a statement, tells what `PRAGMA
        // data_version` would, except that it counts this connection's
        // commits too: hence the baseline taken after each of them.
        let version = connection.fileDataVersion
        defer { lastFileDataVersion = version }
        return version != lastFileDataVersion
    }

    func commit() throws {
        try commitStatement.execute()
        expectsWriteTransaction = false
        lastFileDataVersion = connection.fileDataVersion
        journal?.publishCommit()
    }

    func beginRead() throws -> Bool {
        try connection.cachedStatement(Self.beginDeferred).execute()
        // The first read fixes the snapshot the transaction reads: this one,
        // which also tells whether others committed since the last look.
        do {
            return try othersCommittedSinceLastLook()
        } catch {
            rollBack()  // the engine did not see the transaction begin
            throw error
        }
    }

    func endRead() throws {
        try connection.cachedStatement(Self.commitRead).execute()
    }

    func rollBack() {
        expectsWriteTransaction = false
        reservationsAtSavepoints.removeAll()
        journal?.forgetTransaction()
        guard !connection.isAutocommit else { return }  // SQLite already rolled back
        try? connection.execute("ROLLBACK")
    }

    func beginSavepoint() throws {
        try statement(Self.savepoint).execute()
        reservationsAtSavepoints.append(journal?.reservationSoFar)
    }

    func releaseSavepoint() throws {
        try statement(Self.releaseSavepointQuery).execute()
        reservationsAtSavepoints.removeLast()
    }

    func rollBackToSavepoint() {
        if let reservation = reservationsAtSavepoints.popLast() { journal?.rollBack(toReservation: reservation) }
        guard !connection.isAutocommit else { return }  // SQLite already rolled back
        // ROLLBACK TO keeps the savepoint open; RELEASE closes it.
        try? connection.execute("ROLLBACK TO cellar; RELEASE cellar")
    }

    var isInTransaction: Bool {
        !connection.isAutocommit
    }

    func othersCommittedSinceLastLook() throws -> Bool {
        let version = try currentDataVersion()
        defer { lastDataVersion = version }
        return version != lastDataVersion
    }

    private func currentDataVersion() throws -> Int64 {
        try connection.cachedStatement(Self.dataVersion).queryOne { $0.integer(at: 0) } ?? 0
    }

    private static let beginDeferred = SQLQuery("BEGIN DEFERRED")
    private static let commitRead = SQLQuery("COMMIT")
    private static let savepoint = SQLQuery("SAVEPOINT cellar")
    private static let releaseSavepointQuery = SQLQuery("RELEASE cellar")
    private static let dataVersion = SQLQuery("PRAGMA data_version")
}
