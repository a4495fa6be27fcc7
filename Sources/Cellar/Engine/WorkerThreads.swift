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
/// `@unchecked Sendable`: every mutable property is touched only with
/// `mutex` held.
final class WorkerThreads: @unchecked Sendable {
    /// The most threads one store runs at once.
    static let maximum = 64
    static let idleMilliseconds = 2_000
    /// How long a worker that just finished a job looks for the next one
    /// before it sleeps: a task that awaits one call after another finds
    /// its worker awake, and neither pays a wake-up.
    static let lookNanoseconds: Int64 = 50_000

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

    init() {
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
        } else if threads < Self.maximum {
            threads += 1
            startDetachedThread { [self] in work() }
        }
        pthread_mutex_unlock(mutex)
        jobsWait.store(true, ordering: .releasing)
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

    /// Looks for a job for a moment, without the mutex, yielding its core
    /// between looks: the threads it waits for (the task's, a PostgreSQL
    /// server's processes on the same machine) then run. A worker that
    /// held its core instead (`pause` between looks, a yield every 3.5 µs)
    /// took their CPU: eight tasks' PostgreSQL updates took 118–130 µs each
    /// against 110–125 µs yielding (six alternating runs, 2 cores); a lone
    /// task's `await` did not move (1.18x–1.28x against 1.20x–1.25x).
    private func lookForNextJob() {
        looking.add(1, ordering: .relaxed)
        _ = yieldCore(forNanoseconds: Self.lookNanoseconds) { jobsWait.load(ordering: .acquiring) }
        looking.subtract(1, ordering: .relaxed)
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
