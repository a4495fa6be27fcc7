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
    /// holder, read by any thread to ask whether it is the holder.
    private let owner = Atomic<UInt>(0)

    init() {
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

    func unlock() {
        depth -= 1
        if depth == 0 {
            owner.store(0, ordering: .relaxed)
            cellar_adjust_locks_held(-1)
        }
        pthread_mutex_unlock(mutex)
    }

    /// Whether the calling thread holds the mutex.
    var isHeldByCurrentThread: Bool {
        // Only the holder stores its own id, so a thread sees its id here
        // exactly while it holds the mutex.
        owner.load(ordering: .relaxed) == UInt(bitPattern: Int(bitPattern: pthread_self()))
    }

    private func tookMutex() {
        if depth == 0 {
            owner.store(UInt(bitPattern: Int(bitPattern: pthread_self())), ordering: .relaxed)
            cellar_adjust_locks_held(1)
        }
        depth += 1
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
