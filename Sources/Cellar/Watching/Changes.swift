/// The changes a watch follows, as they commit: an `AsyncSequence` that
/// runs until the loop ends or its task is cancelled.
///
/// ```swift
/// for try await change in store.changes(of: InstanceID(factory: "account", key: "main")) {
///     print(change.number, change.cell ?? "deleted", change.value?.description ?? "-")
/// }
/// ```
///
/// Every change the watch's scope sees is delivered once, in the order of
/// its ``Change/number``, whether it was made by this process, another
/// process or (on PostgreSQL) another host: cell changes, removals,
/// deletions, and the changes made by snapshot reverts, rewinds, imports
/// and state migrations.
///
/// - An instance whose factory records history is seen change by change,
///   with nothing missed, however slowly the loop reads: the watch reads
///   the history as it goes.
/// - Without history a cell's row is rewritten in place, so after a burst
///   of changes the watch may see only the last value. It never sees an
///   older value after a newer one, and never misses the last.
/// - Deleting an instance deletes its history: changes to it that a watch
///   had not read yet are gone, and the watch sees the deletion.
///
/// The watch starts when the `Changes` value is made (by
/// ``Store/changes(after:)`` and its kin): make it before the code whose
/// changes it must see, then loop over it in any task. Ending the loop, or
/// cancelling its task, stops the watch: the iteration then returns nil.
/// The store's watches in one process share one thread and one connection,
/// which end with the last watch.
public struct Changes: AsyncSequence, Sendable {
    public typealias Element = Change

    let engines: EnginePool
    let scope: ChangeScope
    let after: Int64?
    /// The watch started when this value was made, for its first iterator.
    private let started: StartedWatch

    /// Starts watching: a change committed from now on is never missed by
    /// the first iterator, even one made later, in another task.
    init(engines: EnginePool, scope: ChangeScope, after: Int64?) {
        self.engines = engines
        self.scope = scope
        self.after = after
        started = StartedWatch(Watch(engines: engines, scope: scope, after: after))
    }

    /// The first iterator continues the watch started with this value;
    /// each further one starts a watch of its own, from the time it is made.
    public func makeAsyncIterator() -> Iterator {
        Iterator(watch: started.take() ?? Watch(engines: engines, scope: scope, after: after))
    }

    /// Reads the next change, waiting for it to be committed.
    public struct Iterator: AsyncIteratorProtocol, Sendable {
        let watch: Watch

        /// The next change; nil once the task is cancelled.
        ///
        /// - Throws: ``StoreError`` if the watch cannot connect to the store.
        public mutating func next() async throws -> Change? {
            try await watch.next().map(Change.init)
        }
    }
}

/// The watch a ``Changes`` value started, until its first iterator takes it.
///
/// `@unchecked Sendable`: `watch` is touched only under `lock`.
private final class StartedWatch: @unchecked Sendable {
    private let lock = RecursiveLock()
    private var watch: Watch?

    init(_ watch: Watch) {
        self.watch = watch
    }

    func take() -> Watch? {
        lock.withLock {
            defer { watch = nil }
            return watch
        }
    }
}

/// One watch: its scope, the number it has read up to, and the changes
/// read but not yet handed out.
///
/// `@unchecked Sendable`: an async iterator is used by one task at a
/// time; its mutable state is touched only inside ``next()``.
final class Watch: @unchecked Sendable {
    private let hub: WatchHub
    private let scope: ChangeScope
    /// Everything up to this number has been read.
    private var cursor: Int64 = 0
    private var buffer: [ChangeRecord] = []
    private var position = 0
    private var reader: Engine?
    /// Yields when the hub's settled number moves.
    private var signal: AsyncStream<Void>.Iterator?
    /// Why the watch could not start, thrown by the first ``next()``.
    private var startFailure: (any Error)?

    /// How many change numbers one read covers at most, so that a watch far
    /// behind reads in bounded steps.
    private static let window: Int64 = 4_096

    /// Connects and fixes where the watch starts: after `after`, or now, so
    /// that a change committed once the loop has begun is never missed.
    init(engines: EnginePool, scope: ChangeScope, after: Int64?) {
        self.hub = engines.watchHub
        self.scope = scope
        do {
            let (reader, signal) = try hub.register(self, of: engines.primary)
            self.reader = reader
            self.signal = signal.makeAsyncIterator()
            if let after {
                cursor = after
            } else {
                try start(reading: reader)
            }
        } catch {
            startFailure = error
        }
    }

    deinit {
        if reader != nil { hub.unregister(self) }
    }

    func next() async throws -> ChangeRecord? {
        do {
            while true {
                if position < buffer.count {
                    position += 1
                    return buffer[position - 1]
                }
                if let startFailure { throw startFailure }
                guard let reader else { return nil }
                try Task.checkCancellation()
                var settled = hub.settledNumber ?? cursor
                while settled <= cursor {
                    // Nil: the task was cancelled.
                    guard await signal?.next() != nil else { return nil }
                    settled = hub.settledNumber ?? cursor
                }
                let (after, through) = (cursor, min(settled, cursor + Self.window))
                buffer = try reader.read { session in try session.changes(in: scope, after: after, through: through) }
                position = 0
                cursor = through
            }
        } catch is CancellationError {
            return nil
        }
    }

    /// Starts now: after the settled number, with a cell's current value
    /// first. A version of the cell committed after that number is its
    /// current value, and the watch goes on after it.
    private func start(reading reader: Engine) throws {
        let settled = try reader.fresh { session in try session.settledChangeNumber() }
        cursor = settled
        guard case .cell(let id, let name) = scope else { return }
        let current = try reader.read { session -> ChangeRecord? in
            guard let instance = try session.instance(id) else { return nil }
            if let newer = try session.changes(in: scope, after: settled, through: .max).last {
                return newer
            }
            guard let version = try session.newestVersion(of: CellAddress(instanceRowID: instance.rowID, name: name)) else { return nil }
            return ChangeRecord(number: settled, instance: id, version: version, at: version.at)
        }
        guard let current else { return }
        cursor = current.number
        if current.version?.cell != nil { buffer = [current] }
    }
}
