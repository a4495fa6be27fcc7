internal import CSharedMemory
internal import Synchronization

/// One async call's work, handed to a worker thread, and the way its
/// outcome gets back to the task that waits for it: the task either still
/// looks for it (``poll(forNanoseconds:)``) and takes it, or has suspended
/// (``suspend()``) and the worker resumes it.
///
/// Each step is a bit set once in `state`, so that of two steps that race,
/// exactly one sees the other:
/// - the worker starts the work unless the task was cancelled first
///   (``start()`` against ``cancel()``): a cancelled call never starts, a
///   started one runs to its end;
/// - the worker finishes, the task suspends: whichever comes second hands
///   the outcome over.
///
/// `@unchecked Sendable`: `outcome` is written once, by the worker, before
/// it sets `finished` (releasing), and read only after `finished` is seen
/// (acquiring); `continuation` likewise before and after `suspended`.
final class PendingCall<T: Sendable>: @unchecked Sendable {
    private static var started: UInt8 { 1 }
    private static var cancelled: UInt8 { 2 }
    private static var finished: UInt8 { 4 }
    private static var suspended: UInt8 { 8 }

    private let state = Atomic<UInt8>(0)
    /// The CPU the worker ran on when it started the work; -1 before.
    private let workerCPU = Atomic<Int32>(-1)
    private var outcome: Result<T, any Error>?
    private var continuation: UnsafeContinuation<T, any Error>?

    /// The worker's side: runs `work` unless the call was cancelled
    /// before, and hands its outcome over.
    func run(_ work: () throws -> T) {
        workerCPU.store(cellar_current_cpu(), ordering: .relaxed)
        finish(with: start() ? Result { try work() } : .failure(CancellationError()))
    }

    /// The task was cancelled: if the work has not started, it never will.
    func cancel() {
        _ = set(Self.cancelled, unless: Self.started)
    }

    /// Looks for the outcome for up to `nanoseconds`, or until the worker
    /// runs on this thread's CPU; nil if the work has not ended by then.
    func poll(forNanoseconds nanoseconds: Int64) -> Result<T, any Error>? {
        let ended = spin(forNanoseconds: nanoseconds, otherCPU: { workerCPU.load(ordering: .relaxed) }) {
            state.load(ordering: .acquiring) & Self.finished != 0
        }
        return ended ? outcome : nil
    }

    /// Suspends the task until the worker finishes, or returns at once if
    /// it has.
    func suspend() async throws -> T {
        try await withUnsafeThrowingContinuation { continuation in
            self.continuation = continuation
            let (before, _) = state.bitwiseOr(Self.suspended, ordering: .acquiringAndReleasing)
            if before & Self.finished != 0 {
                continuation.resume(with: outcome!)
            }
        }
    }

    /// True if the work may start: the call was not cancelled first.
    private func start() -> Bool {
        set(Self.started, unless: Self.cancelled)
    }

    /// Sets `bit` in `state` unless `blocker` is set; whether it did.
    private func set(_ bit: UInt8, unless blocker: UInt8) -> Bool {
        var current = state.load(ordering: .relaxed)
        while current & blocker == 0 {
            let (exchanged, original) = state.compareExchange(
                expected: current, desired: current | bit, ordering: .acquiringAndReleasing)
            if exchanged { return true }
            current = original
        }
        return false
    }

    private func finish(with outcome: Result<T, any Error>) {
        self.outcome = outcome
        let (before, _) = state.bitwiseOr(Self.finished, ordering: .acquiringAndReleasing)
        if before & Self.suspended != 0 {
            // The task suspended first: it waits for this resume.
            continuation!.resume(with: outcome)
        }
    }
}
