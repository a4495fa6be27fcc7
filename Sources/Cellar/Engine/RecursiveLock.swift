#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// A recursive mutex: the thread that holds it may take it again, so a
/// transaction's body can call back into the storage that runs it.
///
/// One `pthread_mutex_t`, initialized in `init` and destroyed in `deinit`,
/// at a fixed address (a mutex must not move).
final class RecursiveLock: @unchecked Sendable {
    // `@unchecked Sendable` is sound: a pthread mutex exists to be used from
    // several threads, and the pointer to it never changes.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>

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
    }

    func unlock() {
        pthread_mutex_unlock(mutex)
    }
}
