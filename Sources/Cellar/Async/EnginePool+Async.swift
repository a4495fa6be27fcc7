internal import Synchronization

extension EnginePool {
    /// Runs `work`, which blocks (on the disk, another process's lock, a
    /// server), on one of the store's worker threads, while the calling
    /// task waits suspended: no thread of the cooperative pool is held.
    /// Each call `work` makes takes an engine as any thread's would.
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
        let start = StartOnce()
        return try await withTaskCancellationHandler {
            try await withUnsafeThrowingContinuation { continuation in
                workers.run {
                    guard start.begin() else {
                        continuation.resume(throwing: CancellationError())
                        return
                    }
                    continuation.resume(with: Result { try work() })
                }
            }
        } onCancel: {
            start.cancel()
        }
    }
}

/// Whether a job began or was cancelled first: exactly one of them wins.
private final class StartOnce: Sendable {
    private enum State { case waiting, started, cancelled }
    private let state = Mutex(State.waiting)

    /// True if the job may start: it was not cancelled.
    func begin() -> Bool {
        state.withLock { state in
            guard state == .waiting else { return false }
            state = .started
            return true
        }
    }

    func cancel() {
        state.withLock { state in
            if state == .waiting { state = .cancelled }
        }
    }
}
