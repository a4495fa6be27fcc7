/// What the engine needs of a database: transactions, a way to tell whether
/// another connection committed, and the queries the logic above runs, in
/// Swift values.
///
/// One backend object is one connection. Everything about the database
/// lives below this line: the client library's calls, the SQL text and its
/// dialect, how a change by another process is noticed, how a consistent
/// copy is taken, and how the backend's own errors become ``StoreError``s.
///
/// Not `Sendable`: the ``Engine`` calls a backend only while it holds its
/// lock, from one thread at a time, and never reenters it from a query.
///
/// A query runs inside whatever transaction the engine has open; the engine
/// opens one around every write (``beginWrite()``) and around every read of
/// more than one value (``beginRead()``).
protocol StorageBackend: AnyObject {
    /// How messages name the store: a file's path, or a server's address
    /// without its password.
    var location: String { get }
    /// No other connection can change the data while this one is open: what
    /// the engine holds in memory stays current until this connection
    /// changes it or rolls back.
    var isExclusive: Bool { get }
    /// Whether writers of this process that arrive together should share
    /// one transaction and one commit (see ``WriteQueue``): true where a
    /// connection's commit is the cost to share (SQLite's fsync); false
    /// where the server groups its connections' commits itself (PostgreSQL).
    var groupsCommits: Bool { get }

    // MARK: Transactions

    /// Begins a write transaction that holds the write lock from its start
    /// (SQLite's `BEGIN IMMEDIATE`), waiting up to the busy timeout.
    /// - Parameter attempt: 1, or more when the transaction runs again
    ///   after a conflict (see ``isRetryable(_:)``).
    /// - Returns: True if another connection committed since this one last looked.
    func beginWrite(attempt: Int) throws -> Bool
    /// Begins a read transaction: everything read until ``endRead()`` comes
    /// from one committed state, and writers are not blocked.
    /// - Returns: True if another connection committed since this one last looked.
    func beginRead() throws -> Bool
    func commit() throws
    func endRead() throws
    /// Undoes the open transaction, read or write. A failure here is not
    /// reported: the error that led to it is already on its way to the
    /// caller, and the transaction ends with the connection anyway.
    func rollBack()
    func beginSavepoint() throws
    func releaseSavepoint() throws
    /// Undoes the changes since the innermost savepoint and ends it.
    func rollBackToSavepoint()
    /// False once the database ended a transaction by itself after an error
    /// inside it (SQLite after a full disk): nothing in it was kept.
    var isInTransaction: Bool { get }
    /// Outside a transaction: true if another connection committed since
    /// this one last looked.
    func othersCommittedSinceLastLook() throws -> Bool
    /// The error to report for `error`, thrown by one of this backend's
    /// methods: a ``StoreError`` when the failure has a name users can act on.
    func storeError(for error: any Error) -> any Error
    /// Whether `error`, thrown by this backend's methods or reported by
    /// ``storeError(for:)``, ended the transaction because it met another
    /// one (a deadlock, a serialization failure, a lock wait given up so as
    /// not to deadlock), so that running the transaction again can succeed.
    func isRetryable(_ error: any Error) -> Bool

    // MARK: Instances

    func instance(_ id: InstanceID) throws -> InstanceRecord?
    func instance(rowID: Int64) throws -> InstanceRecord?
    /// The instances of `factory`, sorted by key.
    func instances(of factory: String) throws -> [InstanceRecord]
    /// The factories that have instances, sorted.
    func factoryNames() throws -> [String]
    /// Inserts an instance created now, or at `createdAt` (an import or a snapshot).
    func insertInstance(_ id: InstanceID, stateVersion: Int, recordsHistory: Bool, createdAt: String?) throws -> InstanceRecord
    func setStateVersion(_ version: Int, ofInstance rowID: Int64) throws
    func setRecordsHistory(_ recordsHistory: Bool, ofInstance rowID: Int64) throws
    /// Records where the instance's exact history begins (a copy of a pruned one).
    func setHistoryStart(_ sequence: Int64, ofInstance rowID: Int64) throws
    /// Deletes an instance; its cells and their history go with it.
    func deleteInstance(rowID: Int64) throws
    /// Every instance that records history, by row id.
    func instanceRowIDsWithHistory() throws -> [Int64]

    // MARK: Cell versions
    //
    // A cell's versions are its history, oldest first; its value is the
    // newest version unless that one records its removal.

    /// The newest version of cell `name`, removed or not; nil if it never existed.
    func newestVersion(of cell: CellAddress) throws -> HistoryRecord?
    /// The newest version of every cell the instance ever had, sorted by name.
    func newestVersions(ofInstance rowID: Int64) throws -> [HistoryRecord]
    /// The sequence of the instance's newest version; 0 when it has none.
    func newestSequence(ofInstance rowID: Int64) throws -> Int64
    /// Adds version `sequence` of cell `cell`: its new state, or its removal
    /// (nil), written now, or at `at` (milliseconds since 1970: a copy).
    func insertVersion(of cell: CellAddress, sequence: Int64, record: CellRecord?, operation: String?, at: Int64?) throws
    /// Rewrites version `sequence` of cell `cell` in place with `value`;
    /// false if there is no such version.
    func rewriteVersion(of cell: CellAddress, sequence: Int64, value: CellValue, operation: String?) throws -> Bool
    /// Rewrites the newest version of cell `record.name` in place if it
    /// holds a value of `record.type`; its sequence, or nil when there is
    /// no such cell (deleted, renamed or retyped) and nothing was written.
    func rewriteNewestVersion(ofInstance rowID: Int64, _ record: CellRecord, operation: String?) throws -> Int64?
    /// Removes every version of a cell: a change without history.
    func eraseCell(_ cell: CellAddress) throws

    // MARK: History

    /// An instance's versions, newest first: at most `limit`, none written
    /// before `since` (milliseconds since 1970).
    func history(ofInstance rowID: Int64, since: Int64?, limit: Int) throws -> [HistoryRecord]
    /// How many versions the instance has written at or after `since`.
    func historyCount(ofInstance rowID: Int64, since: Int64?) throws -> Int
    /// Each cell's last version at or before `sequence`, removed ones
    /// included, sorted by name.
    func historyState(ofInstance rowID: Int64, atOrBefore sequence: Int64) throws -> [HistoryRecord]
    /// The sequence of the instance's last version written at or before `time`.
    func lastSequence(ofInstance rowID: Int64, writtenAtOrBefore time: Int64) throws -> Int64?
    /// The instance's first and last versions still kept.
    func historyBounds(ofInstance rowID: Int64) throws -> (first: HistoryRecord, last: HistoryRecord)?
    /// The first sequence written at or after `time`, or one past the last.
    func historyCutoff(ofInstance rowID: Int64, writtenBefore time: Int64) throws -> Int64
    /// The sequence of the `count`-th newest version (one past the last for
    /// 0); nil if the instance has no more.
    func historyCutoff(ofInstance rowID: Int64, keepingLast count: Int) throws -> Int64?
    /// Removes the versions before `cutoff` but each cell's last one there,
    /// and records where exact history begins; how many went.
    func pruneHistory(ofInstance rowID: Int64, before cutoff: Int64) throws -> Int

    // MARK: Snapshots

    /// Copies every instance and cell into a new snapshot.
    func insertSnapshot(named name: String, automatic: Bool) throws
    /// Adds snapshot `snapshot` with exactly these instances and cells: a
    /// copy of another store's.
    func insertSnapshot(_ snapshot: SnapshotRecord, holding instances: [(instance: SnapshotInstanceRecord, cells: [CellRecord])]) throws
    func snapshot(named name: String) throws -> SnapshotRecord?
    /// Every snapshot, in the order they were taken.
    func snapshots() throws -> [SnapshotRecord]
    /// The instances snapshot `name` holds of `factory` (all when nil), sorted.
    func snapshotInstances(_ name: String, factory: String?) throws -> [SnapshotInstanceRecord]
    /// The cells snapshot `name` holds of instance `id`, sorted by name.
    func snapshotCells(_ name: String, of id: InstanceID) throws -> [CellRecord]
    /// Deletes a snapshot; false if there was none.
    func deleteSnapshot(named name: String) throws -> Bool
    /// Writes a consistent, standalone store file at `path`, which must not
    /// exist, the backend's own fast way; false when it has none, and then
    /// the store copies itself into a new SQLite file.
    func backup(to path: String) throws -> Bool

    // MARK: Changes
    //
    // Every change a backend writes (a cell's version, an instance's
    // deletion) carries a store-wide number, given in the order changes
    // commit: what watches follow.

    /// The number up to which every change has committed or never will:
    /// a watch reads changes up to it. Called outside a transaction.
    /// Throws ``ChangesNotSettled`` when it cannot tell yet.
    func settledChangeNumber() throws -> Int64
    /// The changes in `scope` numbered after `after` and up to `through`,
    /// oldest first. Called inside a read transaction.
    func changes(in scope: ChangeScope, after: Int64, through: Int64) throws -> [ChangeRecord]
    /// Another connection to the same store, for watches to read and wait
    /// on apart from this one; nil when no other can open (a store in
    /// memory, or a file this connection holds exclusively), and then the
    /// watches share this one.
    func openWatchConnection() throws -> (any StorageBackend)?
    /// What a watch waits on for commits to this store, by any connection
    /// of any process or host; `reader` is the watches' connection, for
    /// what the waiter must read from the store.
    func makeCommitWaiter(reader: Engine) throws -> any CommitWaiter

    // MARK: Maintenance

    /// The number of the last schema migration applied.
    func schemaVersion() throws -> Int
    /// The problems the database finds in its own storage; empty when intact.
    func integrityProblems() throws -> [String]
}
