internal import Dispatch
internal import Synchronization

/// The writers of one store in this process that wait while another
/// writer leads: group commit.
///
/// A writer that finds no leader leads: it runs its own change in a new
/// transaction, then the changes of the writers that queued meanwhile,
/// each in a savepoint of its own, and commits them all at once (one
/// fsync at `.full`). Then it wakes them with their outcomes, and hands
/// the lead to the first writer that queued since, if any. Writers that
/// arrive while a commit is under way so form the next group, however
/// many there are, with no timer: a writer alone leads at once and
/// commits its change by itself.
///
/// The leader runs the queued changes on its own thread: they wait,
/// blocked, while it does, so their bodies run as they would on theirs,
/// one at a time under the engine's lock.
final class WriteQueue: Sendable {
    /// The most changes one transaction holds: beyond it the leader
    /// commits, so that a steady stream of writers cannot keep the first
    /// ones waiting indefinitely.
    static let groupLimit = 64

    private struct State {
        var pending: [QueuedWrite] = []
        var hasLeader = false
    }

    private let state = Mutex(State())

    /// Whether the caller leads now: true when no writer leads (the caller
    /// must then call ``handOff()`` when done).
    func tryToLead() -> Bool {
        state.withLock { state in
            guard !state.hasLeader else { return false }
            state.hasLeader = true
            return true
        }
    }

    /// Queues `write` behind the writer that leads, or returns false, the
    /// caller to lead, if none does any longer.
    func enqueue(_ write: QueuedWrite) -> Bool {
        state.withLock { state in
            guard state.hasLeader else {
                state.hasLeader = true
                return false
            }
            state.pending.append(write)
            return true
        }
    }

    /// The writer that queued first, taken out of the queue; nil if none waits.
    func next() -> QueuedWrite? {
        state.withLock { state in state.pending.isEmpty ? nil : state.pending.removeFirst() }
    }

    /// How many writers wait.
    var count: Int {
        state.withLock { state in state.pending.count }
    }

    /// Ends the caller's lead: the first queued writer leads next.
    func handOff() {
        let next: QueuedWrite? = state.withLock { state in
            guard !state.pending.isEmpty else {
                state.hasLeader = false
                return nil
            }
            return state.pending.removeFirst()
        }
        next?.lead()
    }
}

/// A change waiting in a ``WriteQueue``: the body to run under the
/// leader's transaction, and then how it went.
///
/// `@unchecked Sendable`: `change` runs on the leader's thread while the
/// writer that queued it waits; `outcome` is written before the
/// semaphore is signalled and read after it was waited for.
final class QueuedWrite: @unchecked Sendable {
    /// What the leader tells the writer when it wakes it.
    enum Outcome {
        /// The change committed (or, with an error, did not).
        case done((any Error)?)
        /// Run the change yourself, leading the next group.
        case lead
    }

    let operation: String?
    /// Whether the change needs a savepoint of its own: not one that is a
    /// single statement (a cell's `set` or `update`), which undoes itself.
    let needsSavepoint: Bool
    /// Let go before the writer is woken: it is the writer's own
    /// non-escaping body, and must not outlive its call.
    private var change: ((borrowing Session) throws -> Void)?
    private var outcome: Outcome?
    private let signal = DispatchSemaphore(value: 0)

    init(operation: String?, needsSavepoint: Bool, change: @escaping (borrowing Session) throws -> Void) {
        self.operation = operation
        self.needsSavepoint = needsSavepoint
        self.change = change
    }

    /// Runs the change, on the leader's thread.
    func run(_ session: borrowing Session) throws {
        try change!(session)
    }

    /// Blocks until the leader committed the change, failed it, or handed
    /// the lead to this writer.
    func wait() -> Outcome {
        signal.wait()
        return outcome!
    }

    /// Called by the leader once the change's fate is known.
    func finish(_ failure: (any Error)?) {
        change = nil
        outcome = .done(failure)
        signal.signal()
    }

    /// Called by the leader that hands over.
    func lead() {
        change = nil
        outcome = .lead
        signal.signal()
    }
}
