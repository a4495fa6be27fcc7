internal import CSharedMemory
internal import Synchronization

/// One async call's work, handed to a worker thread, and the way its end
/// gets back to the task that waits for it: the task either still looks
/// for it (``poll(forNanoseconds:)``) or has suspended (``suspend()``) and
/// the worker resumes it.
///
/// Each step is a bit set once in `state`, so that of two steps that race,
/// exactly one sees the other:
/// - the worker starts the work unless the task was cancelled first
///   (``start()`` against ``cancel()``): a cancelled call never starts, a
///   started one runs to its end;
/// - the worker finishes, the task suspends: whichever comes second hands
///   the end over.
///
/// The call is itself a worker's job (see
/// ``WorkerThreads/handToLookingWorker(_:)``). It is not generic: the
/// work leaves its value where the caller reads it (see
/// ``EnginePool/perform(_:)``), so that no call looks up a generic type's
/// metadata at run time (a `Result<T, any Error>` here cost several
/// lookups per call, 5% of an awaited read's time).
///
/// The worker touches the call last when it sets `finished` or resumes
/// the task, so a caller that keeps the call until it has seen the end may
/// hand it over without a reference for the worker.
///
/// `@unchecked Sendable`: `failure` is written once, by the worker, before
/// it sets `finished` (releasing), and read only after `finished` is seen
/// (acquiring); `continuation` likewise before and after `suspended`.
final class PendingCall: @unchecked Sendable {
    private static var started: UInt8 { 1 }
    private static var cancelled: UInt8 { 2 }
    private static var finished: UInt8 { 4 }
    private static var suspended: UInt8 { 8 }

    private let state = Atomic<UInt8>(0)
    /// The CPU the worker ran on when it started the work; -1 before.
    private let workerCPU = Atomic<Int32>(-1)
    /// What the work threw, or `CancellationError` if it never started.
    private var failure: (any Error)?
    private var continuation: UnsafeContinuation<Void, any Error>?
    private let work: @Sendable () throws -> Void

    init(_ work: @escaping @Sendable () throws -> Void) {
        self.work = work
    }

    /// The worker's side: runs the work unless the call was cancelled
    /// before, and hands its end over.
    func run() {
        workerCPU.store(cellar_current_cpu(), ordering: .relaxed)
        if start() {
            do { try work() } catch { failure = error }
        } else {
            failure = CancellationError()
        }
        finish()
    }

    /// The task was cancelled: if the work has not started, it never will.
    func cancel() {
        _ = set(Self.cancelled, unless: Self.started)
    }

    /// Looks for the end of the work for up to `nanoseconds`, or until the
    /// worker runs on this thread's CPU: true if it ended, false if not yet.
    ///
    /// - Throws: What the work threw, or `CancellationError` if it never
    ///   started.
    func poll(forNanoseconds nanoseconds: Int64) throws -> Bool {
        let ended = spin(forNanoseconds: nanoseconds, otherCPU: { workerCPU.load(ordering: .relaxed) }) {
            state.load(ordering: .acquiring) & Self.finished != 0
        }
        if ended, let failure { throw failure }
        return ended
    }

    /// Suspends the task until the work ends, or returns at once if it
    /// has.
    ///
    /// - Throws: What the work threw, or `CancellationError` if it never
    ///   started.
    func suspend() async throws {
        try await withUnsafeThrowingContinuation { continuation in
            self.continuation = continuation
            let (before, _) = state.bitwiseOr(Self.suspended, ordering: .acquiringAndReleasing)
            if before & Self.finished != 0 {
                resume(continuation)
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

    private func finish() {
        let (before, _) = state.bitwiseOr(Self.finished, ordering: .acquiringAndReleasing)
        if before & Self.suspended != 0 {
            // The task suspended first: it waits for this resume.
            resume(continuation!)
        }
    }

    private func resume(_ continuation: UnsafeContinuation<Void, any Error>) {
        if let failure {
            continuation.resume(throwing: failure)
        } else {
            continuation.resume()
        }
    }
}
