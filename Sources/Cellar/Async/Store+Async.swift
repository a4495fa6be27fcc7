#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// The store's operations for `async` code: each runs the synchronous
/// operation of the same name on a thread the store owns, while the calling
/// task waits suspended, so no thread of Swift's cooperative pool ever
/// blocks on the disk, on another process's lock or on a server. (A call
/// that is the store's only one in flight first looks for its outcome for
/// up to 200 µs, about a dozen updates, and suspends only if it is not there
/// by then: that spares it two thread wake-ups.)
///
/// Cancellation: a call whose task is cancelled before its work starts
/// throws `CancellationError`, and nothing changed. Once the work has
/// started it runs to its end: a change commits, or is undone whole, and
/// the call returns or throws as the synchronous one would, even if the
/// task was cancelled meanwhile.
///
/// Using the synchronous and the async API on one store, from any mix of
/// threads and tasks, is safe: both go through the same engines.
extension Store {
    // MARK: Where the work runs

    /// The threads this store runs blocking work on, as an executor for
    /// tasks. A task that prefers it runs on those threads, and its calls to
    /// the store run right where it is, with no hand-off to another thread
    /// and back. (A hand-off costs 1 to 3 µs for a call that is the store's
    /// only one in flight, which looks for its outcome for up to 200 µs
    /// before it suspends, and 25 to 30 µs on a small Linux server for one
    /// that suspends, where a cell's `update` takes 15 µs.)
    ///
    /// ```swift
    /// let hits = try await store.restore(Factory("hits") { $0.cell("count", default: 0) }, key: "home")
    /// try await Task(executorPreference: store.executor) {
    ///     for _ in 0..<1_000 { try await hits.update { $0 += 1 } }
    /// }.value
    /// ```
    ///
    /// The cooperative pool's threads are still never blocked; the store's
    /// own are, while a call runs, which is what they are for. Use it for a
    /// task that mostly calls the store, such as a request's handler; other
    /// tasks are best left on the default executor. A PostgreSQL store has
    /// as many of these threads as it may open connections
    /// (``Store/Options/maximumConnections``), so that many such tasks run at once.
    @available(macOS 15.0, *)
    public var executor: any TaskExecutor {
        engines.workers
    }

    // MARK: Restoring instances

    /// The instance of `factory` named `key`; see ``restore(_:key:)``.
    public func restore<Instance: Sendable>(_ factory: Factory<Instance>, key: String) async throws -> Instance {
        try await engines.perform { try self.restore(factory, key: key) }
    }

    /// The instance of `factory` named `key` if the store has it; see ``restoreExisting(_:key:)``.
    public func restoreExisting<Instance: Sendable>(_ factory: Factory<Instance>, key: String) async throws -> Instance? {
        try await engines.perform { try self.restoreExisting(factory, key: key) }
    }

    /// Deletes instance `id`; see ``delete(_:)``.
    @discardableResult
    public func delete(_ id: InstanceID) async throws -> Bool {
        try await engines.perform { try self.delete(id) }
    }

    // MARK: Transactions and reads

    /// Runs `body` in one transaction, on a thread the store owns; see
    /// ``transaction(operation:standsAlone:_:)``. `body` is synchronous: it
    /// runs while the store's write lock is held, and uses the synchronous
    /// calls of cells and closures.
    ///
    /// ```swift
    /// try await store.transaction {
    ///     try checking.withdraw(25)
    ///     try savings.deposit(25)
    /// }
    /// ```
    public func transaction<Result: Sendable>(
        operation: String? = nil, standsAlone: Bool = false, _ body: @escaping @Sendable () throws -> Result
    ) async throws -> Result {
        try await engines.perform { try self.transaction(operation: operation, standsAlone: standsAlone, body) }
    }

    /// Runs `body` so that everything it reads comes from one committed
    /// state, on a thread the store owns; see ``read(_:)``.
    public func read<Result: Sendable>(_ body: @escaping @Sendable () throws -> Result) async throws -> Result {
        try await engines.perform { try self.read(body) }
    }

    // MARK: Inspection

    /// See ``factoryNames()``.
    public func factoryNames() async throws -> [String] {
        try await engines.perform { try self.factoryNames() }
    }

    /// See ``keys(of:)``.
    public func keys(of factory: String) async throws -> [String] {
        try await engines.perform { try self.keys(of: factory) }
    }

    /// See ``contains(_:)``.
    public func contains(_ id: InstanceID) async throws -> Bool {
        try await engines.perform { try self.contains(id) }
    }

    /// See ``inspect(_:)``.
    public func inspect(_ id: InstanceID) async throws -> InstanceInspection? {
        try await engines.perform { try self.inspect(id) }
    }

    /// See ``schemaVersion()``.
    public func schemaVersion() async throws -> Int {
        try await engines.perform { try self.schemaVersion() }
    }

    /// See ``checkIntegrity()``.
    public func checkIntegrity() async throws -> [String] {
        try await engines.perform { try self.checkIntegrity() }
    }

    // MARK: History

    /// See ``history(of:since:limit:)``.
    public func history(of id: InstanceID, since: Date? = nil, limit: Int = 100) async throws -> [HistoryEntry] {
        try await engines.perform { try self.history(of: id, since: since, limit: limit) }
    }

    /// See ``historyCount(of:since:)``.
    public func historyCount(of id: InstanceID, since: Date? = nil) async throws -> Int {
        try await engines.perform { try self.historyCount(of: id, since: since) }
    }

    /// See ``rewind(_:to:)``.
    @discardableResult
    public func rewind(_ id: InstanceID, to time: Date) async throws -> Rewind {
        try await engines.perform { try self.rewind(id, to: time) }
    }

    /// See ``rewind(_:toSequence:)``.
    @discardableResult
    public func rewind(_ id: InstanceID, toSequence sequence: Int) async throws -> Rewind {
        try await engines.perform { try self.rewind(id, toSequence: sequence) }
    }

    /// See ``pruneHistory(olderThan:)``.
    @discardableResult
    public func pruneHistory(olderThan cutoff: Date) async throws -> Int {
        try await engines.perform { try self.pruneHistory(olderThan: cutoff) }
    }

    /// See ``pruneHistory(keepingLast:)``.
    @discardableResult
    public func pruneHistory(keepingLast count: Int) async throws -> Int {
        try await engines.perform { try self.pruneHistory(keepingLast: count) }
    }

    // MARK: Snapshots and copies

    /// See ``snapshot(named:)``.
    @discardableResult
    public func snapshot(named name: String) async throws -> SnapshotInfo {
        try await engines.perform { try self.snapshot(named: name) }
    }

    /// See ``snapshots()``.
    public func snapshots() async throws -> [SnapshotInfo] {
        try await engines.perform { try self.snapshots() }
    }

    /// See ``deleteSnapshot(named:)``.
    public func deleteSnapshot(named name: String) async throws {
        try await engines.perform { try self.deleteSnapshot(named: name) }
    }

    /// See ``revert(toSnapshot:only:)``.
    @discardableResult
    public func revert(toSnapshot name: String, only scope: SnapshotScope = .everything) async throws -> SnapshotRevert {
        try await engines.perform { try self.revert(toSnapshot: name, only: scope) }
    }

    /// See ``pruneSnapshots(_:keepingLast:)``.
    @discardableResult
    public func pruneSnapshots(_ kind: SnapshotKind = .all, keepingLast count: Int) async throws -> [String] {
        try await engines.perform { try self.pruneSnapshots(kind, keepingLast: count) }
    }

    /// See ``pruneSnapshots(_:olderThan:)``.
    @discardableResult
    public func pruneSnapshots(_ kind: SnapshotKind = .all, olderThan cutoff: Date) async throws -> [String] {
        try await engines.perform { try self.pruneSnapshots(kind, olderThan: cutoff) }
    }

    /// See ``backup(to:replacingExisting:)``.
    public func backup(to path: String, replacingExisting: Bool = false) async throws {
        try await engines.perform { try self.backup(to: path, replacingExisting: replacingExisting) }
    }

    /// See ``copy(to:)``.
    @discardableResult
    public func copy(to target: Store) async throws -> Int {
        try await engines.perform { try self.copy(to: target) }
    }

    /// See ``exportInstances()``.
    public func exportInstances() async throws -> StoreExport {
        try await engines.perform { try self.exportInstances() }
    }

    /// See ``exportInstance(_:)``.
    public func exportInstance(_ id: InstanceID) async throws -> StoreExport.Instance? {
        try await engines.perform { try self.exportInstance(id) }
    }

    /// See ``importInstances(_:replacingExisting:)``.
    @discardableResult
    public func importInstances(_ export: StoreExport, replacingExisting: Bool = false) async throws -> Int {
        try await engines.perform { try self.importInstances(export, replacingExisting: replacingExisting) }
    }
}
