/// A store of durable instances: restores an instance's closures by factory
/// and key, runs changes to several cells atomically, and reads several
/// values as one committed state.
///
/// For example:
///
/// ```swift
/// let store = try Store(at: "bank.sqlite")
/// let main = try store.restore(account, key: "main")
/// try main.deposit(50)
/// try store.transaction {
///     try main.withdraw(10)
///     try savings.deposit(10)
/// }
/// let total = try store.read { try main.balance() + savings.balance() }
/// ```
///
/// A store can be shared by any number of threads and tasks, and the same
/// file by any number of processes: each change commits in one transaction,
/// and a read-modify-write never works from a stale value.
public final class Store: Sendable {
    /// Where the store is: the file's path, `":memory:"`, or a PostgreSQL
    /// store's URL without its password.
    public let path: String
    let engines: EnginePool
    /// See ``Options/automaticSnapshotsKept``.
    let automaticSnapshotsKept: Int

    /// Opens the store at `path`, creating it (and applying the schema) if
    /// it does not exist.
    ///
    /// The file is put in SQLite's write-ahead-log mode. A file that is not a
    /// SQLite database, a SQLite database of something else, or a store
    /// written by a newer Cellar is refused and left untouched.
    ///
    /// - Parameters:
    ///   - path: The file's path.
    ///   - options: Durability, busy timeout, access and sharing; see ``Options``.
    /// - Throws: ``StoreError``.
    public convenience init(at path: String, options: Options = Options()) throws {
        self.init(backend: try SQLiteBackend(
            path: path, mode: options.access.openMode, durability: options.durability,
            busyTimeoutMilliseconds: options.busyTimeoutMilliseconds, exclusive: options.sharing == .exclusive),
                  options: options)
    }

    /// A store on `backend`, which messages name by its location, and on
    /// the connections `openConnection` opens when calls arrive together
    /// (up to ``Options/maximumConnections`` in all).
    init(backend: any StorageBackend, options: Options, openConnection: (@Sendable () throws -> any StorageBackend)? = nil) {
        self.path = backend.location
        self.automaticSnapshotsKept = options.automaticSnapshotsKept
        self.engines = EnginePool(backend: backend, limit: options.maximumConnections, openConnection: openConnection)
    }

    /// How many write transactions this `Store` has committed; fewer than
    /// its writes when writers shared commits. For tests and benchmarks.
    package func committedTransactions() throws -> Int {
        try engines.engines.reduce(0) { total, engine in try total + engine.fresh { _ in engine.commits } }
    }

    /// How many connections this `Store` has open to its database. For tests.
    package var openConnections: Int {
        engines.engines.count
    }

    /// A private store in memory, gone when the last reference to it is:
    /// for tests and previews.
    public static func inMemory() throws -> Store {
        try Store(at: ":memory:")
    }

    // MARK: Restoring instances

    /// The instance of `factory` named `key`: its stored state if the store
    /// has it, a new instance with its cells' defaults otherwise.
    ///
    /// Restoring the same key again in this process returns closures that
    /// share the same cells. An instance stored at an older state version of
    /// the factory is migrated first (see ``StateMigration``). Restoring
    /// writes (it may create the instance or its cells), so it cannot run
    /// inside ``read(_:)``.
    ///
    /// - Parameters:
    ///   - factory: Builds the instance's closures.
    ///   - key: Names the instance; see <doc:KeysAndNames>.
    /// - Returns: What the factory's build closure returned.
    /// - Throws: ``CellError`` for an invalid key, a cell stored with another
    ///   type or state from a newer factory; ``StoreError`` if the store cannot
    ///   be used. Nothing is stored when it throws.
    public func restore<Instance>(_ factory: Factory<Instance>, key: String) throws -> Instance {
        guard let instance = try restore(factory, key: key, creatingIfMissing: true) else {
            preconditionFailure("restore creates a missing instance")
        }
        return instance
    }

    /// The instance of `factory` named `key` if the store has it; nil otherwise.
    /// Unlike ``restore(_:key:)``, never creates an instance.
    public func restoreExisting<Instance>(_ factory: Factory<Instance>, key: String) throws -> Instance? {
        try restore(factory, key: key, creatingIfMissing: false)
    }

    private func restore<Instance>(
        _ factory: Factory<Instance>, key: String, creatingIfMissing: Bool
    ) throws -> Instance? {
        let id = InstanceID(factory: factory.name, key: key)
        try id.validate()
        return try engines.write { session in
            var instance: InstanceRecord
            if let stored = try session.instance(id) {
                instance = stored
            } else if creatingIfMissing {
                instance = try session.insertInstance(id, stateVersion: factory.stateVersion, recordsHistory: factory.recordsHistory)
            } else {
                return nil
            }
            if instance.recordsHistory != factory.recordsHistory {
                try session.setRecordsHistory(factory.recordsHistory, of: instance)
                instance = try session.instance(rowID: instance.rowID) ?? instance
            }
            try migrateState(of: &instance, to: factory, in: session)
            let cells = Cells(engines: engines, instance: instance)
            let built = factory.build(cells)
            try cells.finishBuilding()
            return built
        }
    }

    /// Runs the state migrations an instance stored at an older version missed.
    private func migrateState<Instance>(
        of instance: inout InstanceRecord, to factory: Factory<Instance>, in session: borrowing Session
    ) throws {
        guard instance.stateVersion <= factory.stateVersion else {
            throw CellError.newerStateVersion(instance: instance.id, storedVersion: instance.stateVersion, factoryVersion: factory.stateVersion)
        }
        guard instance.stateVersion < factory.stateVersion else { return }
        let editor = StateEditor(engines: engines, instance: instance)
        let storedVersion = instance.stateVersion
        try engines.write(operation: "migrate") { _ in
            for migration in factory.migrations where migration.version > storedVersion {
                try migration.migrate(editor)
            }
        }
        try session.setStateVersion(factory.stateVersion, of: instance)
        instance = try session.instance(rowID: instance.rowID) ?? instance
    }

    /// Deletes the instance `id` and its cells.
    ///
    /// Closures of the instance still held in any process throw
    /// ``CellError/instanceDeleted(instance:)`` from then on; restoring the
    /// key again starts afresh.
    ///
    /// - Returns: False if there was no such instance.
    @discardableResult
    public func delete(_ id: InstanceID) throws -> Bool {
        try engines.write { session in
            guard let instance = try session.instance(id) else { return false }
            try session.deleteInstance(instance)
            return true
        }
    }

    // MARK: Transactions and reads

    /// Runs `body` so that every cell change in it commits together, or none
    /// does.
    ///
    /// If `body` throws, the store and every cell's value in memory are as
    /// they were before, and the error is rethrown. Transactions nest: an
    /// inner one that throws undoes only its own changes, if the outer one
    /// catches the error.
    ///
    /// For example, a transfer:
    ///
    /// ```swift
    /// try store.transaction {
    ///     try checking.withdraw(25)
    ///     try savings.deposit(25)
    /// }
    /// ```
    ///
    /// The store's write lock is held while `body` runs: other processes wait
    /// (up to the busy timeout), so keep `body` short. To read several values
    /// without writing, use ``read(_:)``, which does not take the lock.
    ///
    /// On PostgreSQL, writers of different instances run in parallel and
    /// each instance is locked when the transaction first reads or changes
    /// it. Two transactions that lock the same instances in opposite orders
    /// would deadlock: one of them is rolled back, on the server and in
    /// memory, and `body` runs again (up to 8 times in all, then
    /// ``StoreError/conflict(path:attempts:)``). Keep effects outside the
    /// store, such as sending a message, out of `body`, or make them safe to
    /// repeat. On SQLite, `body` runs once.
    ///
    /// **Group commit.** On SQLite, writers of this process that want to
    /// commit at the same moment (threads or tasks) share one commit, and
    /// so one fsync at ``Durability/full``: a transaction that finishes
    /// while others wait for the store leaves its changes uncommitted for
    /// them, each of which runs in a savepoint of its own, and the last
    /// commits all. The writers run one after another, each seeing the
    /// changes of those before it, exactly as without grouping. A `body`
    /// that throws undoes only its own changes. Every writer returns only
    /// once the shared commit is done; if that commit fails (a full disk),
    /// every writer of the group gets the error and none of their changes
    /// is stored. A writer alone commits at once. Pass `standsAlone: true`
    /// for a transaction that must commit by itself.
    ///
    /// - Parameters:
    ///   - operation: Names the changes in the store's history, e.g.
    ///     `"transfer"`; it takes precedence over names given inside.
    ///   - standsAlone: True to commit this transaction on its own, never
    ///     together with other writers' changes; false by default.
    ///   - body: The changes.
    /// - Returns: What `body` returns.
    /// - Throws: What `body` throws, or ``StoreError`` if the commit fails.
    public func transaction<Result>(
        operation: String? = nil, standsAlone: Bool = false, _ body: () throws -> Result
    ) throws -> Result {
        try engines.write(operation: operation, sharesCommit: !standsAlone) { _ in try body() }
    }

    /// Runs `body` so that everything it reads comes from one committed
    /// state of the store, as if nothing changed while it ran.
    ///
    /// Each read on its own (a cell's `get()`, ``inspect(_:)``) is always of
    /// one committed state; `read` makes several reads agree with each other.
    /// Without it, another process's transfer could commit between reading
    /// two balances, and their sum would be one that never existed.
    ///
    /// For example, a total that is always exact while other processes
    /// transfer money:
    ///
    /// ```swift
    /// let total = try store.read {
    ///     try checking.balance() + savings.balance()
    /// }
    /// ```
    ///
    /// Everything in the store reads consistently inside it: cells, the
    /// inspection API, ``keys(of:)``, ``factoryNames()``,
    /// ``history(of:since:limit:)`` and ``snapshots()``. It takes no write
    /// lock: writers in other processes go on while it runs, and it waits
    /// for none of them. Threads of this process that use the same store
    /// wait until it ends (a store has one connection), so keep it short.
    /// Inside a ``transaction(operation:standsAlone:_:)`` it reads that transaction's
    /// own, uncommitted state.
    ///
    /// - Parameter body: The reads. A change attempted inside it (a cell's
    ///   `set` or `update`, ``restore(_:key:)``, a transaction) throws
    ///   ``StoreError/writeInsideRead(path:)``.
    /// - Returns: What `body` returns.
    /// - Throws: What `body` throws, or ``StoreError``.
    public func read<Result>(_ body: () throws -> Result) throws -> Result {
        try engines.read { _ in try body() }
    }
}
