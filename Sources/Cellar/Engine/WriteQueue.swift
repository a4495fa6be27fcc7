internal import Dispatch
internal import Synchronization

/// The writers of one store in this process that wait while another
/// writer leads: group commit.
///
/// A writer that finds no leader leads: it runs its own change in a new
/// transaction, then the changes of the writers that queued meanwhile,
/// each in a savepoint of its own, and commits them all at once (one
/// fsync at `.full`). Then it tells them their outcomes, and hands the
/// lead to the first writer that queued since, if any. Writers that
/// arrive while a commit is under way so form the next group, however
/// many there are, with no timer: a writer alone leads at once and
/// commits its change by itself.
///
/// The leader runs the queued changes on its own thread: they wait while
/// it does (yielding their cores, then asleep: see ``QueuedWrite/wait()``),
/// so their bodies run as they would on theirs, one at a time under the
/// engine's lock.
final class WriteQueue: Sendable {
    /// The most changes one transaction holds: beyond it the leader
    /// commits, so that a steady stream of writers cannot keep the first
    /// ones waiting indefinitely.
    static let groupLimit = 64

    /// How long a queued writer yields its core before it sleeps (see
    /// ``QueuedWrite/wait()``): ``longestYieldNanoseconds`` while groups
    /// are short, none once the last one took longer than
    /// ``longestYieldedGroupNanoseconds``.
    ///
    /// A writer waits for the group under way, then for its own: with
    /// groups of up to 0.5 ms the wait fits in the 1 ms. Beyond that (a
    /// slow disk's fsync) yielding would only burn CPU before the sleep.
    /// 50 µs was too short even at `.normal`: writers yielded, then slept
    /// all the same (16 writers: 14–20 µs per update, against 5–8 µs at
    /// 200 µs or 1 ms); 1 ms beat 200 µs with 64 writers (3.7–6.8 µs
    /// against 4.7–9.4 µs per update).
    var yieldNanoseconds: Int64 {
        lastGroupNanoseconds.load(ordering: .relaxed) <= Self.longestYieldedGroupNanoseconds ? Self.longestYieldNanoseconds : 0
    }

    static let longestYieldNanoseconds: Int64 = 1_000_000
    /// Half of ``longestYieldNanoseconds``: a writer may wait for two groups.
    static let longestYieldedGroupNanoseconds: Int64 = 500_000

    /// How long the last group took, from its leader's start to its commit.
    private let lastGroupNanoseconds = Atomic<Int64>(0)

    /// The leader tells how long its group took.
    func groupTook(nanoseconds: Int64) {
        lastGroupNanoseconds.store(nanoseconds, ordering: .relaxed)
    }

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
/// The writer first yields its core while it waits (see ``wait()``), and
/// sleeps only if the leader takes longer: of the two, exactly one sees
/// the other in `steps` (the leader tells, the writer goes to sleep), so
/// the leader wakes the writer only if it sleeps.
///
/// `@unchecked Sendable`: `change` runs on the leader's thread while the
/// writer that queued it waits; `outcome` is written before `told` is set
/// (releasing) and read after it is seen (acquiring).
final class QueuedWrite: @unchecked Sendable {
    /// What the leader tells the writer.
    enum Outcome {
        /// The change committed (or, with an error, did not).
        case done((any Error)?)
        /// Run the change yourself, leading the next group.
        case lead
    }

    private static var told: UInt8 { 1 }
    private static var sleeping: UInt8 { 2 }

    let operation: String?
    /// Whether the change needs a savepoint of its own: not one that is a
    /// single statement (a cell's `set` or `update`), which undoes itself.
    let needsSavepoint: Bool
    /// How long the writer yields its core before it sleeps.
    private let yieldNanoseconds: Int64
    /// Let go before the writer is told: it is the writer's own
    /// non-escaping body, and must not outlive its call.
    private var change: ((borrowing Session) throws -> Void)?
    private var outcome: Outcome?
    private let steps = Atomic<UInt8>(0)
    private let signal = DispatchSemaphore(value: 0)

    init(
        operation: String?, needsSavepoint: Bool, yieldNanoseconds: Int64,
        change: @escaping (borrowing Session) throws -> Void
    ) {
        self.operation = operation
        self.needsSavepoint = needsSavepoint
        self.yieldNanoseconds = yieldNanoseconds
        self.change = change
    }

    /// Runs the change, on the leader's thread.
    func run(_ session: borrowing Session) throws {
        try change!(session)
    }

    /// Waits until the leader committed the change, failed it, or handed
    /// the lead to this writer.
    ///
    /// For up to `yieldNanoseconds` the writer only yields its core, so
    /// that the leader and the writers of the next group run. A writer that
    /// slept at once cost a wake-up per change (a futex call, a context
    /// switch, on a virtual machine an interrupt between cores), more than
    /// the change itself: with 16 writers on 2 cores at `.normal`, 8.4–10.5
    /// µs per update sleeping at once, 4.4–6.2 µs yielding first (the C
    /// floor, a commit per update: 14–15 µs). Past that the writer sleeps,
    /// so that a long wait (a checkpoint's fsync) costs no CPU.
    func wait() -> Outcome {
        if yieldCore(forNanoseconds: yieldNanoseconds, until: { steps.load(ordering: .acquiring) & Self.told != 0 }) {
            return outcome!
        }
        let (before, _) = steps.bitwiseOr(Self.sleeping, ordering: .acquiringAndReleasing)
        if before & Self.told == 0 { signal.wait() }
        return outcome!
    }

    /// Called by the leader once the change's fate is known.
    func finish(_ failure: (any Error)?) {
        tell(.done(failure))
    }

    /// Called by the leader that hands over.
    func lead() {
        tell(.lead)
    }

    private func tell(_ outcome: Outcome) {
        change = nil
        self.outcome = outcome
        let (before, _) = steps.bitwiseOr(Self.told, ordering: .acquiringAndReleasing)
        if before & Self.sleeping != 0 { signal.signal() }
    }
}
