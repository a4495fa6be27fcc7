internal import Synchronization

/// The engines of one store, one per connection, the entry points its
/// cells and operations call (each call runs on one engine, chosen here),
/// and what the store has once whatever its connections: the threads of
/// its async calls and the hub of its watches.
///
/// A SQLite store has one engine: its file takes one writer at a time, so
/// a second connection would only wait, and writers of this process share
/// commits instead (see ``WriteQueue``). A PostgreSQL store opens another
/// connection when a call arrives while every engine it has is busy, up to
/// ``Store/Options/maximumConnections``: threads and tasks then run their
/// calls in parallel, and the server groups their commits. Connections stay
/// open until the store is released.
///
/// Which engine a call runs on:
/// 1. the one the calling thread is already inside (a cell's `update` in
///    a `transaction { }` joins that transaction);
/// 2. else the first that is free;
/// 3. else a new one, while there are fewer than the limit;
/// 4. else the next in turn, whose current call it waits for.
///
/// Only the first engine keeps cells' values in memory (see
/// ``Engine/usesCellCaches``): on PostgreSQL a value is read from the
/// server at every call anyway, since another host may have changed it.
final class EnginePool: Sendable {
    /// The store's first engine, opened with the store: the only one of a
    /// SQLite store, and the one watches open their connection from.
    let primary: Engine
    /// Opens another connection to the store; nil where there is one only.
    private let openConnection: (@Sendable () throws -> any StorageBackend)?
    private let limit: Int
    private let state: Mutex<State>
    /// See ``Engine/retryTurn``.
    private let retryTurn: RecursiveLock?
    /// The watches of this store in this process (see ``Changes``).
    let watchHub = WatchHub()
    /// The threads that run the blocking work of async calls: on a store
    /// that opens connections as calls need them (PostgreSQL), no more
    /// than it may open, since a call beyond them would only wait for one.
    /// (Eight tasks' PostgreSQL updates, 2 cores: medians of 108–132 µs
    /// each with 8 workers, against 132–148 µs with the 13 to 16 that the
    /// calls started; four alternating runs.)
    let workers: WorkerThreads
    /// How many async calls are handed to ``workers`` and not yet returned.
    let awaitedCalls = Atomic<Int>(0)

    private struct State {
        var engines: [Engine]
        /// Connections being opened, counted against the limit.
        var opening = 0
        /// Where waiting calls start their turn (rule 4).
        var nextInTurn = 0
        /// After a connection failed to open, none is tried again before
        /// this time (monotonic nanoseconds): calls wait for the open ones.
        var noConnectionBefore: Int64 = 0
    }

    /// How long a pool that failed to open a connection waits before it tries again.
    private static let retryOpeningAfterNanoseconds: Int64 = 1_000_000_000

    /// A pool of `backend` alone, or of it and up to `limit - 1` more
    /// connections that `openConnection` opens as calls need them.
    init(backend: any StorageBackend, limit: Int = 1, openConnection: (@Sendable () throws -> any StorageBackend)? = nil) {
        self.limit = openConnection == nil ? 1 : max(1, limit)
        retryTurn = self.limit > 1 ? RecursiveLock() : nil
        primary = Engine(backend: backend, retryTurn: retryTurn)
        self.openConnection = openConnection
        workers = WorkerThreads(maximum: openConnection == nil ? WorkerThreads.maximum : self.limit)
        state = Mutex(State(engines: [primary]))
    }

    /// The engines open now; the first is ``primary``.
    var engines: [Engine] {
        state.withLock { $0.engines }
    }

    // MARK: Entry points (see the same names in ``Engine``)
    //
    // Inlined into every call of a cell or a store, down to the check for
    // a single engine: a read served from memory costs about 200
    // instructions, and a call through the pool about 25 more.

    @inline(__always)
    func fresh<T>(_ body: (borrowing Session) throws -> T) throws -> T {
        guard limit > 1 else { return try primary.fresh(body) }
        return try onHeldEngine { engine in try engine.fresh(body) }
    }

    @inline(__always)
    func read<T>(_ body: (borrowing Session) throws -> T) throws -> T {
        guard limit > 1 else { return try primary.read(body) }
        return try onHeldEngine { engine in try engine.read(body) }
    }

    @inline(__always)
    func write<T>(operation: String? = nil, sharesCommit: Bool = true, _ body: (borrowing Session) throws -> T) throws -> T {
        guard limit > 1 else { return try primary.write(operation: operation, sharesCommit: sharesCommit, body) }
        return try onHeldEngine { engine in try engine.write(operation: operation, sharesCommit: sharesCommit, body) }
    }

    @inline(__always)
    func writeOneStatement<T>(operation: String? = nil, _ body: (borrowing Session) throws -> T) throws -> T {
        guard limit > 1 else { return try primary.writeOneStatement(operation: operation, body) }
        return try onHeldEngine { engine in try engine.writeOneStatement(operation: operation, body) }
    }

    /// Runs `body` in the write transaction the calling thread has open on
    /// one of these engines.
    func continueTransaction<T>(_ body: (borrowing Session) throws -> T) throws -> T {
        guard limit > 1 else { return try primary.continueTransaction(body) }
        let engine = engineHeldByCurrentThread(of: engines)
        precondition(engine != nil, "continueTransaction outside a write transaction")
        return try engine!.continueTransaction(body)
    }

    // MARK: Choosing an engine

    /// Runs `call` on an engine of a pool of several, chosen by the rules
    /// above, which the calling thread holds meanwhile.
    @inline(never)
    private func onHeldEngine<T>(_ call: (Engine) throws -> T) throws -> T {
        let engine = holdEngine()
        defer { engine.release() }
        return try call(engine)
    }

    /// An engine the calling thread now holds, by the rules above; the
    /// caller runs one entry point on it and releases it.
    private func holdEngine() -> Engine {
        let engines = self.engines
        if let mine = engineHeldByCurrentThread(of: engines) {
            mine.hold()
            return mine
        }
        if let free = engines.first(where: { $0.tryHold() }) {
            return free
        }
        if let new = openEngine() {
            new.hold()
            return new
        }
        let next = state.withLock { state in
            state.nextInTurn = (state.nextInTurn + 1) % state.engines.count
            return state.engines[state.nextInTurn]
        }
        next.hold()
        return next
    }

    /// The engine among `engines` the calling thread is inside (rule 1).
    private func engineHeldByCurrentThread(of engines: [Engine]) -> Engine? {
        engines.first { $0.isHeldByCurrentThread }
    }

    /// A new engine on a new connection, added to the pool; nil when the
    /// pool is full or its last attempt to connect failed a moment ago.
    private func openEngine() -> Engine? {
        guard let openConnection else { return nil }
        let now = monotonicNanoseconds()
        let mayOpen = state.withLock { state in
            guard state.engines.count + state.opening < limit, now >= state.noConnectionBefore else { return false }
            state.opening += 1
            return true
        }
        guard mayOpen else { return nil }
        let backend: (any StorageBackend)?
        do {
            backend = try openConnection()
        } catch {
            // The server may refuse more connections (max_connections):
            // this call waits for an open one instead. Should the server be
            // gone, that engine's own call reports it.
            backend = nil
        }
        return state.withLock { state in
            state.opening -= 1
            guard let backend else {
                state.noConnectionBefore = now + Self.retryOpeningAfterNanoseconds
                return nil
            }
            let engine = Engine(backend: backend, liveCells: primary.liveCells, retryTurn: retryTurn, usesCellCaches: false)
            state.engines.append(engine)
            return engine
        }
    }
}
