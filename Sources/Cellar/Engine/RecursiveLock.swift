#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif
internal import CSharedMemory
internal import Synchronization

/// A recursive mutex: the thread that holds it may take it again, so a
/// transaction's body can call back into the storage that runs it.
///
/// One `pthread_mutex_t`, initialized in `init` and destroyed in `deinit`,
/// at a fixed address (a mutex must not move).
final class RecursiveLock: @unchecked Sendable {
    // `@unchecked Sendable` is sound: a pthread mutex exists to be used from
    // several threads, and the pointer to it never changes.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    /// How many times the holder took the mutex (touched by the holder only).
    @exclusivity(unchecked) private var depth = 0
    /// The thread that holds the mutex, 0 when none does: written by the
    /// holder, read by any thread to ask whether it is the holder. Kept
    /// only when `tracksOwner`: a read served from memory would otherwise
    /// pay a tenth more for it.
    private let owner = Atomic<UInt>(0)
    private let tracksOwner: Bool

    /// A lock; `tracksOwner` for one that ``isHeldByCurrentThread`` is asked of.
    init(tracksOwner: Bool = false) {
        self.tracksOwner = tracksOwner
        mutex = .allocate(capacity: 1)
        var attributes = pthread_mutexattr_t()
        pthread_mutexattr_init(&attributes)
        pthread_mutexattr_settype(&attributes, Int32(PTHREAD_MUTEX_RECURSIVE))
        let code = pthread_mutex_init(mutex, &attributes)
        pthread_mutexattr_destroy(&attributes)
        precondition(code == 0, "pthread_mutex_init failed: \(code)")
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    // `lock` and `unlock` are inlined into every entry point of the engine:
    // a read served from memory costs about 200 instructions, and a call
    // to each of them about 20 more.

    @inline(__always)
    func lock() {
        pthread_mutex_lock(mutex)
        tookMutex()
    }

    /// Takes the mutex if no other thread holds it; false if one does.
    func tryLock() -> Bool {
        guard pthread_mutex_trylock(mutex) == 0 else { return false }
        tookMutex()
        return true
    }

    @inline(__always)
    func unlock() {
        depth -= 1
        if depth == 0 {
            if tracksOwner { setOwner(0) }
            cellar_adjust_locks_held(-1)
        }
        pthread_mutex_unlock(mutex)
    }

    /// Whether the calling thread holds the mutex; for a lock that tracks its owner.
    var isHeldByCurrentThread: Bool {
        precondition(tracksOwner, "isHeldByCurrentThread of a lock that does not track its owner")
        // Only the holder stores its own id, so a thread sees its id here
        // exactly while it holds the mutex.
        return owner.load(ordering: .relaxed) == Self.currentThread
    }

    @inline(__always)
    private func tookMutex() {
        if depth == 0 {
            if tracksOwner { setOwner(Self.currentThread) }
            cellar_adjust_locks_held(1)
        }
        depth += 1
    }

    /// The calling thread, as ``owner`` holds it.
    private static var currentThread: UInt {
        UInt(bitPattern: Int(bitPattern: pthread_self()))
    }

    /// Out of line: only the locks of a pool's engines track their owner.
    @inline(never)
    private func setOwner(_ thread: UInt) {
        owner.store(thread, ordering: .relaxed)
    }

    // MARK: The calling thread's locks

    /// Whether the calling thread holds any `RecursiveLock`: of this store,
    /// or of another (a copy from one store into another holds both). Such
    /// a thread must not wait for another thread to run its change, which
    /// might need a lock it holds.
    static var currentThreadHoldsALock: Bool {
        cellar_locks_held() != 0
    }

    /// How many `RecursiveLock`s the calling thread holds.
    static var locksHeldByCurrentThread: Int {
        Int(cellar_locks_held())
    }
}
