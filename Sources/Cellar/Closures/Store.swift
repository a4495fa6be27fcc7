/// A SQLite file of durable closure instances: restores an instance by
/// factory and key, and runs operations on several cells atomically.
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
/// ```
///
/// A store can be shared by any number of threads and tasks, and the same
/// file by any number of processes: each change commits in one transaction,
/// and a read-modify-write never works from a stale value.
public final class Store: Sendable {
    /// The store file's path, or `":memory:"`.
    public let path: String
    let storage: Storage

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
    public init(at path: String, options: Options = Options()) throws {
        self.path = path
        self.storage = try Storage(
            path: path, mode: options.access.storageMode, durability: options.durability,
            busyTimeoutMilliseconds: options.busyTimeoutMilliseconds, isExclusive: options.sharing == .exclusive)
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
    /// the factory is migrated first (see ``StateMigration``).
    ///
    /// - Parameters:
    ///   - factory: Builds the instance's closures.
    ///   - key: Names the instance; see <doc:KeysAndNames>.
    /// - Returns: What the factory's build closure returned.
    /// - Throws: ``CellError`` for an invalid key, a cell stored with another
    ///   type or state from a newer factory; ``StoreError`` if the file cannot
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
        try NameRules.validate(factory.name, as: "factory name")
        try NameRules.validate(key, as: "key")
        return try storage.transaction {
            var closure: ClosureRecord
            if let stored = try storage.closureRecord(factory: factory.name, key: key) {
                closure = stored
            } else if creatingIfMissing {
                closure = try storage.insertClosure(
                    factory: factory.name, key: key, stateVersion: factory.stateVersion, recordsHistory: factory.recordsHistory)
            } else {
                return nil
            }
            if closure.recordsHistory != factory.recordsHistory {
                try storage.setRecordsHistory(factory.recordsHistory, ofClosure: closure.id)
                closure = try storage.closureRecord(id: closure.id) ?? closure
            }
            try migrateState(of: &closure, to: factory)
            let cells = Cells(storage: storage, closure: closure)
            let instance = factory.build(cells)
            try cells.finishBuilding()
            return instance
        }
    }

    /// Runs the state migrations an instance stored at an older version missed.
    private func migrateState<Instance>(of closure: inout ClosureRecord, to factory: Factory<Instance>) throws {
        let instance = "\(closure.factory)/\(closure.key)"
        guard closure.stateVersion <= factory.stateVersion else {
            throw CellError.newerStateVersion(instance: instance, storedVersion: closure.stateVersion, factoryVersion: factory.stateVersion)
        }
        guard closure.stateVersion < factory.stateVersion else { return }
        let editor = StateEditor(storage: storage, closure: closure)
        try storage.withOperation("migrate") {
            for migration in factory.migrations where migration.version > closure.stateVersion {
                try migration.migrate(editor)
            }
        }
        try storage.setStateVersion(factory.stateVersion, ofClosure: closure.id)
        // Cells of this instance already live in this process hold old shapes.
        storage.invalidateCachedValues()
        closure = try storage.closureRecord(id: closure.id) ?? closure
    }

    /// Deletes the instance `factory/key` and its cells.
    ///
    /// Closures of the instance still held in any process throw
    /// ``CellError/instanceDeleted(instance:)`` from then on; restoring the
    /// key again starts afresh.
    ///
    /// - Returns: False if there was no such instance.
    @discardableResult
    public func delete(factory: String, key: String) throws -> Bool {
        try storage.transaction { try storage.deleteClosure(factory: factory, key: key) }
    }

    // MARK: Transactions

    /// Runs `body` so that every cell change in it commits together, or none
    /// does.
    ///
    /// If `body` throws, the file and every cell's value in memory are as
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
    /// (up to the busy timeout), so keep `body` short.
    ///
    /// - Parameters:
    ///   - operation: Names the changes in the store's history, e.g.
    ///     `"transfer"`; it takes precedence over names given inside.
    ///   - body: The changes.
    /// - Returns: What `body` returns.
    /// - Throws: What `body` throws, or ``StoreError`` if the commit fails.
    public func transaction<Result>(operation: String? = nil, _ body: () throws -> Result) throws -> Result {
        try storage.transaction(operation: operation, body)
    }
}
