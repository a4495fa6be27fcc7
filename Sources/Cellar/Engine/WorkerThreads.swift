#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif
internal import CSharedMemory
internal import Synchronization

/// The threads a store owns to run the blocking work of its async calls,
/// so that no thread of Swift's cooperative pool ever waits for a disk, a
/// lock of another process or a server.
///
/// A job runs on an idle worker, or on a new one while there are fewer
/// than ``maximum``; beyond that it waits its turn. Workers that meet in
/// the store's write queue share commits like any threads (see
/// ``WriteQueue``), which is why there are several. A worker with nothing
/// to do for ``idleMilliseconds`` ends, so an idle store holds no thread.
///
/// However few the workers, no job waits for one queued behind it: a
/// call blocks only for a connection or a lock that a running call or
/// another process holds (a transaction runs whole on one thread, never
/// suspended halfway).
///
/// `@unchecked Sendable`: every mutable property is touched only with
/// `mutex` held.
final class WorkerThreads: @unchecked Sendable {
    /// The most threads one store runs at once, unless it says fewer.
    static let maximum = 64
    /// The most threads these workers run at once.
    let maximum: Int
    static let idleMilliseconds = 2_000
    /// How long a worker that just finished a job looks for the next one
    /// before it sleeps: a task that awaits one call after another finds
    /// its worker awake, and neither pays a wake-up.
    static let lookNanoseconds: Int64 = 50_000
    /// How long a worker that just ran a handed call (see
    /// ``handToLookingWorker(_:)``) looks for the next one without
    /// yielding its core, before it looks as after any job. A lone task
    /// makes its next call within a microsecond or two, and a call handed
    /// over while the worker yields waits out the yield (0.45 µs here).
    /// From handing over to the start of the work took medians of 581–676
    /// ns yielding, 116–400 ns spinning (timestamps of 100,000 lone
    /// updates, two pairs of runs); a lone task's `await update` took 1.09x
    /// the synchronous one instead of 1.15x (medians of eight alternating
    /// pairs of runs, each pair in spinning's favour).
    static let spinAfterHandedCallNanoseconds: Int64 = 5_000
    /// ``lookNanoseconds`` unless a test chose another time.
    private let lookNanoseconds: Int64
    /// ``spinAfterHandedCallNanoseconds`` unless a test chose another time.
    private let spinAfterHandedCallNanoseconds: Int64
    /// For tests: how long a caller of ``handToLookingWorker(_:)`` waits
    /// between seeing a looking worker and handing the call over, which
    /// widens the moment when that worker may stop looking. 0 otherwise.
    private let handOverPauseNanoseconds: Int64

    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let wake = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var jobs: [@Sendable () -> Void] = []
    private var nextJob = 0
    private var threads = 0
    private var sleeping = 0
    /// Workers looking for a job after their last one, without the mutex:
    /// a job they will see needs no wake-up.
    private let looking = Atomic<Int>(0)
    /// Whether jobs wait, for looking workers to read without the mutex.
    /// Set after the mutex is let go, so that a worker that sees it finds
    /// the mutex free: one that found it held would sleep in the kernel and
    /// need the wake-up that looking was to save.
    private let jobsWait = Atomic<Bool>(false)
    /// A call handed straight to a looking worker, past the queue and its
    /// mutex (see ``handToLookingWorker(_:)``); not retained.
    private let handedCall = Atomic<UnsafeMutableRawPointer?>(nil)

    init(
        maximum: Int = WorkerThreads.maximum, lookNanoseconds: Int64 = WorkerThreads.lookNanoseconds,
        spinAfterHandedCallNanoseconds: Int64 = WorkerThreads.spinAfterHandedCallNanoseconds, handOverPauseNanoseconds: Int64 = 0
    ) {
        precondition(maximum >= 1, "workers need a thread")
        self.maximum = maximum
        self.lookNanoseconds = lookNanoseconds
        self.spinAfterHandedCallNanoseconds = spinAfterHandedCallNanoseconds
        self.handOverPauseNanoseconds = handOverPauseNanoseconds
        pthread_mutex_init(mutex, nil)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        #if !canImport(Darwin)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        #endif
        pthread_cond_init(wake, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(wake)
        pthread_mutex_destroy(mutex)
        wake.deallocate()
        mutex.deallocate()
    }

    /// Runs `job` on a worker thread, soon.
    func run(_ job: @escaping @Sendable () -> Void) {
        pthread_mutex_lock(mutex)
        jobs.append(job)
        let waiting = jobs.count - nextJob
        if waiting <= looking.load(ordering: .relaxed) {
            // A worker that just finished takes it.
        } else if sleeping > 0 {
            pthread_cond_signal(wake)
        } else if threads < maximum {
            threads += 1
            startDetachedThread(named: "cellar-worker") { [self] in work() }
        }
        pthread_mutex_unlock(mutex)
        jobsWait.store(true, ordering: .releasing)
    }

    /// Hands `call` to a worker that is looking for its next job, if one
    /// is, without the queue's mutex and without allocating; false when
    /// none took it (the caller then runs it through ``run(_:)``). For a
    /// task that awaits one call after another: the worker that ran its
    /// last call takes the next.
    ///
    /// The call waits in `handedCall` for a looking worker. Should the last
    /// one stop looking meanwhile, the caller takes the call back: each
    /// side writes its own atomic and then reads the other's, sequentially
    /// consistent, so a worker that stops looking either sees the call or
    /// is seen gone.
    ///
    /// The caller keeps `call` alive until the call has ended (as it does
    /// anyway, to learn its end), so the worker needs no reference of its
    /// own: no reference count moves between the two threads.
    func handToLookingWorker(_ call: PendingCall) -> Bool {
        guard looking.load(ordering: .relaxed) > 0 else { return false }
        if handOverPauseNanoseconds > 0 {
            let end = monotonicNanoseconds() + handOverPauseNanoseconds
            while monotonicNanoseconds() < end {}
        }
        let pointer = Unmanaged.passUnretained(call).toOpaque()
        guard handedCall.compareExchange(expected: nil, desired: pointer, ordering: .sequentiallyConsistent).exchanged else {
            return false
        }
        if looking.load(ordering: .sequentiallyConsistent) > 0 { return true }
        return !handedCall.compareExchange(expected: pointer, desired: nil, ordering: .sequentiallyConsistent).exchanged
    }

    /// Whether the calling thread is one of these workers: work it is
    /// given may run right there (see ``EnginePool/perform(_:)``).
    var includesCurrentThread: Bool {
        cellar_workers_of_current_thread() == UnsafeRawPointer(Unmanaged.passUnretained(self).toOpaque())
    }

    private func work() {
        cellar_set_workers_of_thread(Unmanaged.passUnretained(self).toOpaque())
        pthread_mutex_lock(mutex)
        while true {
            if let job = takeJob() {
                pthread_mutex_unlock(mutex)
                job()
                lookForNextJob()
                pthread_mutex_lock(mutex)
                continue
            }
            sleeping += 1
            let woken = sleep(milliseconds: Self.idleMilliseconds)
            sleeping -= 1
            if !woken && nextJob == jobs.count {
                threads -= 1
                pthread_mutex_unlock(mutex)
                return
            }
        }
    }

    /// The next job, under the mutex.
    private func takeJob() -> (@Sendable () -> Void)? {
        guard nextJob < jobs.count else { return nil }
        let job = jobs[nextJob]
        nextJob += 1
        if nextJob == jobs.count {
            jobs.removeAll(keepingCapacity: true)
            nextJob = 0
            jobsWait.store(false, ordering: .relaxed)
        }
        return job
    }

    /// Looks for a job, queued or handed over (see
    /// ``handToLookingWorker(_:)``), for a moment, without the mutex.
    /// Right after a handed call it spins for
    /// ``spinAfterHandedCallNanoseconds`` first; otherwise, and after that,
    /// it yields its core between looks: the threads it waits for (the
    /// task's, a PostgreSQL server's processes on the same machine) then
    /// run. A worker that held its core for the whole look (`pause` between
    /// looks, a yield every 3.5 µs) took their CPU: eight tasks' PostgreSQL
    /// updates took 118–130 µs each against 110–125 µs yielding (six
    /// alternating runs, 2 cores). Those tasks' calls are not alone, so
    /// they are queued, never handed over, and the short spin leaves them
    /// as they were.
    private func lookForNextJob() {
        let hasJob = { [self] in handedCall.load(ordering: .relaxed) != nil || jobsWait.load(ordering: .acquiring) }
        var ranHandedCall = false
        repeat {
            looking.add(1, ordering: .sequentiallyConsistent)
            let found = ranHandedCall && spin(forNanoseconds: spinAfterHandedCallNanoseconds, otherCPU: { -1 }, until: hasJob)
            if !found {
                _ = yieldCore(forNanoseconds: lookNanoseconds, until: hasJob)
            }
            // Not counted as looking while it runs a handed call, so that
            // jobs queued meanwhile wake or start another worker.
            looking.subtract(1, ordering: .sequentiallyConsistent)
            ranHandedCall = runHandedCall()
        } while ranHandedCall && !jobsWait.load(ordering: .acquiring)
    }

    /// Runs the call handed to the looking workers, if there is one and
    /// this worker takes it; whether it did.
    private func runHandedCall() -> Bool {
        guard let pointer = handedCall.exchange(nil, ordering: .sequentiallyConsistent) else { return false }
        Unmanaged<PendingCall>.fromOpaque(pointer)._withUnsafeGuaranteedRef { $0.run() }
        return true
    }

    /// Waits on `wake` with the mutex held; false when the time ran out.
    private func sleep(milliseconds: Int) -> Bool {
        var deadline = timespec()
        #if canImport(Darwin)
        clock_gettime(CLOCK_REALTIME, &deadline)
        #else
        clock_gettime(CLOCK_MONOTONIC, &deadline)
        #endif
        let nanoseconds = Int(deadline.tv_nsec) + milliseconds * 1_000_000
        deadline.tv_sec += nanoseconds / 1_000_000_000
        deadline.tv_nsec = nanoseconds % 1_000_000_000
        return pthread_cond_timedwait(wake, mutex, &deadline) != ETIMEDOUT
    }
}

/// The workers as an executor, for tasks that should run on the store's
/// threads (see ``Store/executor``): a job of such a task is a job like any.
@available(macOS 15.0, *)
extension WorkerThreads: TaskExecutor {
    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        run { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
