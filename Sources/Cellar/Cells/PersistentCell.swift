/// A captured variable that lives in the store: every change is written
/// through to the file before the call returns.
///
/// A factory declares its cells with ``Cells/cell(_:default:)`` and the
/// closures it returns capture them, the way a Python closure captures a
/// `nonlocal` variable. Closures built by one factory call share their cells;
/// restoring the same key again in the same process hands out the same cell
/// objects.
///
/// For example, a durable counter:
///
/// ```swift
/// let counter = Factory("counter") { cells in
///     let count = cells.cell("count", default: 0)
///     return { @Sendable in try count.update { $0 += 1; return $0 } }
/// }
/// let next = try store.restore(counter, key: "visits")
/// try next()  // 1, then 2 after the next call, even across restarts
/// ```
///
/// Reads are served from memory while no other connection has committed
/// since the value was read; a change by another process is seen by the next
/// call. ``update(operation:_:)`` always works on the stored value inside one write
/// transaction, so concurrent processes lose no update.
public final class PersistentCell<Value: Codable & Sendable>: @unchecked Sendable {
    // `@unchecked Sendable` is sound: the cache (`cachedValue`'s memory and
    // the `...Cached...` properties), the only mutable state, is read and
    // written only inside the bodies of the entry points of the store's
    // first engine (`fresh`, `write`...), which hold that engine's lock; the
    // other engines of a PostgreSQL pool never touch it (see
    // `Session.usesCellCaches`). Everything else is immutable. The same lock
    // is why the cache's properties need no run-time exclusivity checks.

    /// The cell's name within its instance.
    public let name: String
    let engines: EnginePool
    private let address: CellAddress
    /// The instance the cell belongs to.
    let instance: InstanceID
    private let codec: CellCodec<Value>
    /// Whether the instance's factory records history.
    private let recordsHistory: Bool

    /// The value last read or written, initialized when `hasCachedValue`.
    ///
    /// Memory the cell owns rather than a `Value?`: code that is generic
    /// over `Value` (a cell used from another module is not specialized)
    /// would look up the metadata of `Optional<Value>` on every read, which
    /// cost more than the rest of a read together.
    private let cachedValue = UnsafeMutablePointer<Value>.allocate(capacity: 1)
    @exclusivity(unchecked) private var hasCachedValue = false
    /// The cached value as stored, to tell whether an update changed anything.
    @exclusivity(unchecked) private var cachedStoredValue: CellValue?
    @exclusivity(unchecked) private var cachedGeneration: UInt64 = 0
    /// The `seq` of the row that holds the cached value.
    @exclusivity(unchecked) private var cachedSequence: Int64 = 0

    init(address: CellAddress, instance: InstanceID, engines: EnginePool, codec: CellCodec<Value>, recordsHistory: Bool) {
        self.name = address.name
        self.recordsHistory = recordsHistory
        self.engines = engines
        self.address = address
        self.instance = instance
        self.codec = codec
    }

    deinit {
        if hasCachedValue { cachedValue.deinitialize(count: 1) }
        cachedValue.deallocate()
    }

    /// The cell's current value.
    ///
    /// - Throws: ``CellError`` if the instance was deleted or the stored value
    ///   is not a `Value`; ``StoreError`` if the file cannot be read.
    public func get() throws -> Value {
        try engines.fresh { session in try currentValue(session) }
    }

    /// Stores `value` in the cell.
    ///
    /// When this returns, `value` is committed (or part of the enclosing
    /// ``Store/transaction(operation:standsAlone:_:)``). If it throws, nothing changed.
    ///
    /// - Parameters:
    ///   - value: The new value.
    ///   - operation: Names the change in the store's history, e.g. `"reset"`.
    /// - Throws: ``CellError`` if the value cannot be encoded or the instance
    ///   was deleted; ``StoreError`` if the file cannot be written.
    public func set(_ value: Value, operation: String? = nil) throws {
        // A transaction: the change's number follows the instance's last one.
        try engines.writeOneStatement(operation: operation) { session in
            try write(value, as: try codec.encode(value, cell: name, instance: instance), knownSequence: cachedSequence(session), session)
        }
    }

    /// Changes the cell's value in place, atomically: `body` gets the stored
    /// value inside a write transaction, and what it leaves there is committed.
    /// If `body` throws, nothing changes and the error is rethrown; if it
    /// leaves the value as it was, nothing is written.
    ///
    /// On PostgreSQL too, `body` runs exactly once: the instance is locked
    /// and the value read in one round trip, and the new value is
    /// written with `COMMIT` in a second. An optimistic write (read the
    /// value, then an `UPDATE` that checks it is unchanged) would also take
    /// two round trips, since another host's change must be read from the
    /// server anyway, and it would run `body` again whenever another writer
    /// won. Measured in C on the same server, the two designs cost the same
    /// (the optimistic one 0.97x to 1.02x the locking one over three runs),
    /// so Cellar locks.
    ///
    /// For example, a withdrawal that refuses to overdraw:
    ///
    /// ```swift
    /// try balance.update { current in
    ///     guard amount <= current else { throw AccountError.insufficientFunds }
    ///     current -= amount
    /// }
    /// ```
    ///
    /// - Parameters:
    ///   - operation: Names the change in the store's history, e.g.
    ///     `"deposit"`; an enclosing ``Store/transaction(operation:standsAlone:_:)`` that
    ///     names one takes precedence.
    ///   - body: Changes the value; runs once, while the store's write lock is
    ///     held (on PostgreSQL, the instance's lock), so keep it short and
    ///     free of other I/O. Inside a ``Store/transaction(operation:standsAlone:_:)`` on
    ///     PostgreSQL it runs again if the whole transaction does.
    /// - Returns: What `body` returns.
    /// - Throws: What `body` throws, ``CellError`` or ``StoreError``.
    @discardableResult
    public func update<Result>(operation: String? = nil, _ body: (inout Value) throws -> Result) throws -> Result {
        try engines.writeOneStatement(operation: operation) { session in
            guard session.usesCellCaches else { return try updateWithoutCache(session, body) }
            var value = try currentValue(session)
            let storedBefore = cachedStoredValue
            let result = try body(&value)
            let stored = try codec.encode(value, cell: name, instance: instance)
            if stored != storedBefore {
                try write(value, as: stored, knownSequence: cachedSequence(session), session)
            }
            return result
        }
    }

    /// ``update(operation:_:)`` on an engine that leaves the cache alone.
    private func updateWithoutCache<Result>(_ session: borrowing Session, _ body: (inout Value) throws -> Result) throws -> Result {
        let newest = try newestVersion(session)
        var value = try codec.decode(newest.cell, instance: instance)
        let result = try body(&value)
        let stored = try codec.encode(value, cell: name, instance: instance)
        if stored != newest.cell.value {
            try write(value, as: stored, knownSequence: newest.sequence, session)
        }
        return result
    }

    // MARK: Reading and writing under the lock

    /// The value, from memory if nothing may have changed it since it was read.
    private func currentValue(_ session: borrowing Session) throws -> Value {
        if cacheIsCurrent(session) {
            return cachedValue.pointee
        }
        return try readValue(session)
    }

    /// The value, read from the store, and cached where the engine keeps
    /// caches. Apart from ``currentValue(_:)``, whose path from memory
    /// would otherwise pay for what this one needs.
    @inline(never)
    private func readValue(_ session: borrowing Session) throws -> Value {
        let newest = try newestVersion(session)
        let value = try codec.decode(newest.cell, instance: instance)
        if session.usesCellCaches {
            cache(value, storedAs: newest.cell.value, sequence: newest.sequence, generation: session.generation)
        }
        return value
    }

    /// The cell's newest version, which holds a value.
    private func newestVersion(_ session: borrowing Session) throws -> (cell: CellRecord, sequence: Int64) {
        guard let newest = try session.newestVersion(of: address), let record = newest.cell else {
            throw try missingCellError(session)
        }
        return (record, newest.sequence)
    }

    /// Whether the cached value is the stored one: cached by this engine
    /// at its current generation.
    private func cacheIsCurrent(_ session: borrowing Session) -> Bool {
        session.usesCellCaches && hasCachedValue && cachedGeneration == session.generation
    }

    /// The sequence of the cell's newest version if the cache knows it: a
    /// value cached at this generation is in that version.
    private func cachedSequence(_ session: borrowing Session) -> Int64? {
        cacheIsCurrent(session) ? cachedSequence : nil
    }

    /// Writes `value`, encoded as `stored`, to the store, over the version
    /// `knownSequence` when the caller knows it is the newest, and
    /// remembers it where the engine keeps caches.
    private func write(_ value: Value, as stored: CellValue, knownSequence: Int64?, _ session: borrowing Session) throws {
        let record = CellRecord(name: name, type: codec.typeName, encoding: codec.encoding, value: stored)
        let sequence = try session.writeCellValue(record, at: address, recordsHistory: recordsHistory, knownSequence: knownSequence)
        guard let sequence else {
            // Deleted, renamed or retyped by someone else: say which.
            if let record = try session.cell(address) {
                throw CellError.typeMismatch(instance: instance, cell: name, storedType: record.type, requestedType: codec.typeName)
            }
            throw try missingCellError(session)
        }
        if session.usesCellCaches {
            cache(value, storedAs: stored, sequence: sequence, generation: session.generation)
        }
    }

    private func missingCellError(_ session: borrowing Session) throws -> CellError {
        if try session.instance(rowID: address.instanceRowID) == nil {
            return .instanceDeleted(instance: instance)
        }
        return .noSuchCell(instance: instance, cell: name)
    }

    /// Remembers a value just read or written as current at `generation`.
    func cache(_ value: Value, storedAs stored: CellValue, sequence: Int64, generation: UInt64) {
        if hasCachedValue {
            cachedValue.pointee = value
        } else {
            cachedValue.initialize(to: value)
            hasCachedValue = true
        }
        cachedStoredValue = stored
        cachedSequence = sequence
        cachedGeneration = generation
    }
}
