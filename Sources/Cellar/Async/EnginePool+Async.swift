internal import Synchronization

extension EnginePool {
    /// Runs `work`, which blocks (on the disk, another process's lock, a
    /// server), on one of the store's worker threads, while the calling
    /// task waits suspended: no thread of the cooperative pool is held.
    /// Each call `work` makes takes an engine as any thread's would.
    ///
    /// A call that is the store's only one in flight goes straight to a
    /// worker that looks for its next job, if one does (see
    /// ``WorkerThreads/handToLookingWorker(_:)``), and then looks for its
    /// outcome for ``lonePollNanoseconds`` (see ``PendingCall``): an update
    /// usually ends by then, and the call returns without the two thread
    /// wake-ups of a suspension (25 to 30 µs on a 2-core Linux server,
    /// twice the update). With other calls in flight it suspends at once,
    /// so that its thread runs other tasks instead of spinning.
    ///
    /// Cancellation: a task cancelled before `work` starts gets
    /// `CancellationError` and nothing ran. Once `work` has started it
    /// runs to its end (a change commits or rolls back whole), and its
    /// outcome is returned even if the task was cancelled meanwhile.
    func perform<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try Task.checkCancellation()
        if workers.includesCurrentThread {
            // A task that runs on the store's own threads (see
            // `Store.executor`) may block the one it is on.
            return try work()
        }
        let isAlone = awaitedCalls.add(1, ordering: .relaxed).newValue == 1
        defer { awaitedCalls.subtract(1, ordering: .relaxed) }
        // The work leaves its value here; read once the call has ended
        // without an error, which is also when nothing writes here any more.
        nonisolated(unsafe) let value = UnsafeMutablePointer<T>.allocate(capacity: 1)
        defer { value.deallocate() }
        let call = PendingCall { value.initialize(to: try work()) }
        if !(isAlone && workers.handToLookingWorker(call)) {
            workers.run { call.run() }
        }
        if isAlone, try call.poll(forNanoseconds: Self.lonePollNanoseconds) {
            return value.move()
        }
        try await withTaskCancellationHandler {
            try await call.suspend()
        } onCancel: {
            call.cancel()
        }
        return value.move()
    }

    /// How long a call that is the store's only one in flight looks for
    /// its outcome before it suspends: about a dozen updates at `.normal`.
    /// At 50 µs, 0.3% to 1.7% of lone updates suspended (slow ones: the
    /// disk, another tenant of the machine), each paying 60 to 100 µs to
    /// get back; at 200 µs, 0.14%, about the WAL checkpoints (one in 1,000
    /// updates), and `await` took 1.15x–1.25x the synchronous update
    /// instead of 1.22x–1.34x (eleven alternating runs of 105,000 each).
    static let lonePollNanoseconds: Int64 = 200_000
}
