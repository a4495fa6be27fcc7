#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// One connection of a ``Store`` and what runs on it: the backend, the lock
/// that serializes its use, transactions, and the bookkeeping that tells
/// cells whether the values they hold in memory are still the stored ones.
/// A store has one engine, or on PostgreSQL a pool of them (see
/// ``EnginePool``, which chooses the engine each call runs on).
///
/// Every public operation enters the engine once, through ``fresh(_:)``,
/// ``read(_:)``, ``write(operation:_:)`` or their kin: the entry point takes
/// the lock, opens what transaction the operation needs, and hands a
/// ``Session`` into the body, the way GRDB hands a `Database` into
/// `write { db in }`. Queries are methods of the session; they never lock
/// again, and the session cannot outlive the body.
///
/// `@unchecked Sendable` is sound because every mutable property, and the
/// backend with everything reached through it, is touched only while `lock`
/// is held (the lock is recursive, so a transaction's body can enter the
/// engine again on the same thread, as a cell's `update` inside a
/// `transaction` does). The same lock makes Swift's run-time exclusivity
/// checks redundant on the properties the hot paths touch, so they are
/// marked `@exclusivity(unchecked)`: the checks cost a read served from
/// memory more than the rest of it.
final class Engine: @unchecked Sendable {
    let backend: any StorageBackend
    private let lock: RecursiveLock
    /// Whether cells keep the values this engine reads and writes in
    /// memory: true for a store's first engine only. A cell's cache is
    /// guarded by that engine's lock; the other engines of a pool (see
    /// ``EnginePool``) read and write cells without touching it.
    let usesCellCaches: Bool

    /// Increases whenever values held in memory may no longer be the stored
    /// ones: another connection committed, a transaction rolled back, or a
    /// write that does not go through a cell changed cells. A cell's cached
    /// value is good while it was read at the current generation.
    @exclusivity(unchecked) private(set) var generation: UInt64 = 0
    /// 0 outside a write transaction, 1 in one, more in its savepoints.
    @exclusivity(unchecked) private var writeDepth = 0
    /// How many `read` bodies are running: no write may start inside one.
    @exclusivity(unchecked) private var readDepth = 0
    /// The live cells of the store, shared by all its engines.
    let liveCells: LiveCells
    @exclusivity(unchecked) var history = HistoryBookkeeping()

    /// Writers waiting to share a commit (see ``WriteQueue``).
    private let writeQueue = WriteQueue()
    /// How many write transactions this engine committed: tests tell from
    /// it that writers shared commits.
    @exclusivity(unchecked) private(set) var commits = 0
    /// How many changes the last group committed (see ``lead(operation:_:)``).
    @exclusivity(unchecked) private var lastGroupSize = 1

    /// Taken by a transaction of this engine before it runs again after a
    /// conflict, when the engine is one of a pool's (see ``EnginePool``):
    /// shared by the pool's engines, so that their transactions that met
    /// each other run again one at a time instead of meeting again.
    private let retryTurn: RecursiveLock?

    /// An engine on `backend`. `liveCells` and `retryTurn` are the store's,
    /// shared with its other engines, or a new one and none for an engine
    /// of its own (a watch's).
    init(backend: any StorageBackend, liveCells: LiveCells = LiveCells(), retryTurn: RecursiveLock? = nil, usesCellCaches: Bool = true) {
        self.backend = backend
        // A pool's engines (those with a retry turn) are asked who holds them.
        self.lock = RecursiveLock(tracksOwner: retryTurn != nil)
        self.liveCells = liveCells
        self.retryTurn = retryTurn
        self.usesCellCaches = usesCellCaches
    }

    // MARK: Holding the engine for a pool

    /// Takes the engine's lock if no other thread holds it (see
    /// ``EnginePool``): the caller then runs one entry point and calls
    /// ``release()``.
    func tryHold() -> Bool {
        lock.tryLock()
    }

    /// Takes the engine's lock, waiting for the thread that holds it.
    func hold() {
        lock.lock()
    }

    func release() {
        lock.unlock()
    }

    /// Whether the calling thread is inside one of this engine's entry
    /// points (or holds it): its nested calls must use this engine.
    var isHeldByCurrentThread: Bool {
        lock.isHeldByCurrentThread
    }

    // MARK: Entry points

    /// Runs `body`, which reads one value, after making sure the generation
    /// reflects every commit of other connections so far: a cell whose
    /// cached value is of the current generation may serve it from memory.
    func fresh<T>(_ body: (borrowing Session) throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        do {
            if writeDepth == 0 && readDepth == 0 && !backend.isExclusive, try backend.othersCommittedSinceLastLook() {
                generation &+= 1
            }
            return try body(Session(engine: self))
        } catch {
            throw failed(error)
        }
    }

    /// Runs `body` so that everything it reads comes from one committed
    /// state, without taking the write lock: writers go on while it runs.
    /// Inside a write transaction it reads that transaction's own state.
    /// Any write `body` attempts throws ``StoreError/writeInsideRead(path:)``.
    func read<T>(_ body: (borrowing Session) throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        do {
            readDepth += 1
            defer { readDepth -= 1 }
            guard writeDepth == 0 && readDepth == 1 else { return try body(Session(engine: self)) }
            if try backend.beginRead() {
                generation &+= 1
            }
            let result: T
            do {
                result = try body(Session(engine: self))
                try backend.endRead()
            } catch {
                backend.rollBack()
                throw error
            }
            return result
        } catch {
            throw failed(error)
        }
    }

    /// Runs `body` in a write transaction: all of it commits, or none of it.
    /// At the outermost level a transaction that takes the write lock at
    /// once; inside another, a savepoint. If `body` throws, everything it
    /// changed is undone, on disk and in memory, and the error is rethrown.
    ///
    /// At the outermost level, writers of other threads that want to
    /// commit at the same moment may share the transaction (see
    /// ``WriteQueue``): each change then runs in a savepoint of its own, and
    /// this returns once the shared transaction has committed.
    ///
    /// - Parameters:
    ///   - operation: Names the changes in the history; the outermost name wins.
    ///   - sharesCommit: False for a transaction that must commit by itself.
    func write<T>(operation: String? = nil, sharesCommit: Bool = true, _ body: (borrowing Session) throws -> T) throws -> T {
        try writing(operation: operation, savepoint: true, sharesCommit: sharesCommit, body)
    }

    /// Runs `body`, which changes the store with at most one statement, in a
    /// write transaction. Inside another transaction `body` runs without a
    /// savepoint of its own: a statement is atomic by itself, and if `body`
    /// throws before it, there is nothing to undo; should the database roll
    /// the whole transaction back, the error path sees it. (A savepoint per
    /// change made a million updates in one transaction three times as slow
    /// as the C floor.)
    func writeOneStatement<T>(operation: String? = nil, _ body: (borrowing Session) throws -> T) throws -> T {
        try writing(operation: operation, savepoint: false, sharesCommit: true, body)
    }

    /// Runs `body` inside the write transaction already open on this
    /// thread, with no savepoint: for the builders that a restore hands to
    /// a factory or a state migration, which only ever run inside one.
    func continueTransaction<T>(_ body: (borrowing Session) throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        precondition(writeDepth > 0, "continueTransaction outside a write transaction")
        do {
            return try body(Session(engine: self))
        } catch {
            throw failed(error)
        }
    }

    // MARK: Transactions

    private func writing<T>(
        operation: String?, savepoint: Bool, sharesCommit: Bool, _ body: (borrowing Session) throws -> T
    ) throws -> T {
        // Inside a transaction or a read of this thread (of this store or
        // another), or on a backend whose server groups commits itself: no queue.
        guard sharesCommit, backend.groupsCommits, !RecursiveLock.currentThreadHoldsALock else {
            return try writingUnderLock(operation: operation, savepoint: savepoint, body)
        }
        if writeQueue.tryToLead() {
            return try lead(operation: operation, body)
        }
        return try withoutActuallyEscaping(body) { body in
            var result: T?
            let write = QueuedWrite(
                operation: operation, needsSavepoint: savepoint, yieldNanoseconds: writeQueue.yieldNanoseconds
            ) { session in result = try body(session) }
            guard writeQueue.enqueue(write) else { return try lead(operation: operation, body) }
            switch write.wait() {
            case .done(let failure?):
                throw failure
            case .done(nil):
                return result!
            case .lead:
                return try lead(operation: operation, body)
            }
        }
    }

    private func writingUnderLock<T>(operation: String?, savepoint: Bool, _ body: (borrowing Session) throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        do {
            guard readDepth == 0 else { throw StoreError.writeInsideRead(path: backend.location) }
            if let operation { history.beginOperation(operation) }
            defer { if operation != nil { history.endOperation() } }
            if writeDepth == 0 {
                return try outermostTransaction(body)
            }
            return savepoint ? try savepointTransaction(body) : try body(Session(engine: self))
        } catch {
            throw failed(error)
        }
    }

    // MARK: Group commit

    /// Runs `body` in a new transaction, then the changes of the writers
    /// that queued meanwhile, each in a savepoint, commits them all, tells
    /// the queued writers how it went and hands the lead on.
    private func lead<T>(operation: String?, _ body: (borrowing Session) throws -> T) throws -> T {
        var members: [QueuedWrite] = []
        var lost: (any Error)?
        let started = monotonicNanoseconds()
        defer {
            // How long the writers of the next groups may expect to wait.
            writeQueue.groupTook(nanoseconds: monotonicNanoseconds() - started)
            // The members are told before the lead is handed on, so that
            // those that write again at once can join the next group:
            // measured at `.full` with 16 writers, 0.11x–0.12x the floor's
            // time per update against 0.12x–0.14x the other way round.
            for member in members { member.finish(lost) }
            writeQueue.handOff()
        }
        lock.lock()
        defer { lock.unlock() }
        do {
            return try attemptTransaction(
                attempt: 1, { session in try withOperation(operation) { try body(session) } },
                beforeCommit: { try runQueuedChanges(into: &members) })
        } catch {
            // Not committed: the queued changes in the transaction are gone too.
            let failure = failed(error)
            lost = failure
            throw failure
        }
    }

    /// Runs the changes of the writers that queue, each in the open
    /// transaction, until none waits or the group is full; `members` gets
    /// those that stand in it. A change that throws is undone alone and its
    /// writer told at once. Throws if the database rolled the whole
    /// transaction back (a full disk, an I/O error).
    private func runQueuedChanges(into members: inout [QueuedWrite]) throws {
        // Writers are about when the last group had several, or this one
        // has: then the leader lets the others run before it commits (they
        // may be waiting for a core, not for the store), for as long as
        // that brings more. A writer alone commits at once.
        let othersAbout = lastGroupSize > 1
        var yieldedWithoutGain = false
        defer { lastGroupSize = members.count + 1 }
        while members.count + 1 < WriteQueue.groupLimit {
            guard let write = writeQueue.next() else {
                guard othersAbout || !members.isEmpty, !yieldedWithoutGain else { break }
                let queued = writeQueue.count
                sched_yield()
                yieldedWithoutGain = writeQueue.count == queued
                continue
            }
            do {
                try withOperation(write.operation) {
                    if write.needsSavepoint {
                        try savepointTransaction { session in try write.run(session) }
                    } else {
                        try write.run(Session(engine: self))
                    }
                }
                members.append(write)
            } catch {
                let failure = failed(error)
                write.finish(failure)
                if !backend.isInTransaction { throw failure }
            }
        }
    }

    /// Runs `body` with `operation` naming the changes it makes.
    private func withOperation<T>(_ operation: String?, _ body: () throws -> T) rethrows -> T {
        guard let operation else { return try body() }
        history.beginOperation(operation)
        defer { history.endOperation() }
        return try body()
    }

    /// How many times a transaction that met another (on PostgreSQL: a
    /// deadlock, a serialization failure, or a lock wait it gave up so as
    /// not to deadlock) runs before the conflict is reported.
    static let transactionAttempts = 8

    private func outermostTransaction<T>(_ body: (borrowing Session) throws -> T) throws -> T {
        var attempt = 1
        var holdsRetryTurn = false
        defer { if holdsRetryTurn { retryTurn?.unlock() } }
        while true {
            do {
                return try attemptTransaction(attempt: attempt, body)
            } catch {
                guard backend.isRetryable(error) else { throw error }
                guard attempt < Self.transactionAttempts else {
                    throw StoreError.conflict(path: backend.location, attempts: attempt)
                }
                // The other transaction won; give it time to finish, with
                // jitter so that two losers do not collide again.
                attempt += 1
                // Two transactions of this process that met wait for each
                // other's turn (they hold no lock of the server now).
                // Not while this thread holds another store's lock as
                // well: two such threads could then wait for each other.
                if !holdsRetryTurn, let retryTurn, RecursiveLock.locksHeldByCurrentThread == 1 {
                    retryTurn.lock()
                    holdsRetryTurn = true
                }
                sleepBeforeRetry(attempt: attempt)
            }
        }
    }

    /// Sleeps 1 to 2 ms times the attempt's number, at random.
    private func sleepBeforeRetry(attempt: Int) {
        usleep(useconds_t(Int.random(in: 1_000...2_000) * attempt))
    }

    /// One run of a transaction: everything `body` changed is undone, on
    /// disk and in memory, if it throws.
    /// `beforeCommit` runs once `body` succeeded, in the same transaction:
    /// a group's leader adds the queued changes there.
    private func attemptTransaction<T>(
        attempt: Int, _ body: (borrowing Session) throws -> T, beforeCommit: () throws -> Void = {}
    ) throws -> T {
        // With the write lock held no one else can commit: one look covers
        // the whole transaction.
        if try backend.beginWrite(attempt: attempt) {
            generation &+= 1
        }
        writeDepth = 1
        defer {
            writeDepth = 0
            history.endTransaction()
        }
        do {
            let result = try body(Session(engine: self))
            try beforeCommit()
            try backend.commit()
            commits += 1
            return result
        } catch {
            // Any value cached during the transaction may be gone from the store.
            generation &+= 1
            backend.rollBack()
            throw error
        }
    }

    private func savepointTransaction<T>(_ body: (borrowing Session) throws -> T) throws -> T {
        try backend.beginSavepoint()
        writeDepth += 1
        defer { writeDepth -= 1 }
        do {
            let result = try body(Session(engine: self))
            try backend.releaseSavepoint()
            return result
        } catch {
            generation &+= 1
            backend.rollBackToSavepoint()
            throw error
        }
    }

    /// The error to report for `error`, met under the lock.
    private func failed(_ error: any Error) -> any Error {
        if writeDepth > 0 && !backend.isInTransaction {
            // A full disk or an I/O error can make the database roll the
            // whole transaction back: then no value cached since it began
            // is the stored one.
            generation &+= 1
        }
        return backend.storeError(for: error)
    }

    // MARK: What the session changes

    /// Called by the session after a write that did not go through a cell
    /// (a rewind, a snapshot, an import, a deletion, a state migration):
    /// every cell reads its value from the store again.
    func storedStateChanged() {
        generation &+= 1
    }
}
