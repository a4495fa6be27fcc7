#ifndef CELLAR_SHARED_MEMORY_H
#define CELLAR_SHARED_MEMORY_H

#include <stdint.h>

/// Atomic operations and waiting on words in memory that several processes
/// map (a store's change journal): Swift's atomics live only in Swift's own
/// storage, so these are C11 atomics on raw addresses, sequentially consistent.

int64_t cellar_load64(const int64_t *address);
void cellar_store64(int64_t *address, int64_t value);
/// Stores `value` unless the word already holds more.
void cellar_raise64(int64_t *address, int64_t value);
uint32_t cellar_load32(const uint32_t *address);
/// Adds `delta` and returns the new value.
uint32_t cellar_add32(uint32_t *address, int32_t delta);

/// Waits until the word no longer holds `expected`, someone calls
/// `cellar_wake_all` on it, or `timeout_ms` pass. Spurious returns happen.
/// Linux: a futex, which works across processes mapping the same file.
/// Elsewhere: a sleep of at most 2 ms (callers poll).
void cellar_wait32(const uint32_t *address, uint32_t expected, int32_t timeout_ms);
/// Wakes every thread, of any process, waiting on the word.
void cellar_wake_all(uint32_t *address);

/// How many store locks the calling thread holds: a C thread-local, one
/// instruction to reach, where `pthread_getspecific` is a call. Every
/// lock and unlock of a store counts, reads included.
extern _Thread_local intptr_t cellar_locks_held_by_thread;

static inline void cellar_adjust_locks_held(intptr_t change) {
    cellar_locks_held_by_thread += change;
}

static inline intptr_t cellar_locks_held(void) {
    return cellar_locks_held_by_thread;
}

/// The worker threads (a store's `WorkerThreads`) the calling thread is
/// one of; NULL on any other thread. A C thread-local for the same reason.
extern _Thread_local const void *cellar_workers_of_thread;

static inline void cellar_set_workers_of_thread(const void *workers) {
    cellar_workers_of_thread = workers;
}

static inline const void *cellar_workers_of_current_thread(void) {
    return cellar_workers_of_thread;
}

/// The CPU the calling thread runs on, as of the call; -1 where that is
/// not known. A thread spinning for another's work stops when both are on
/// the same CPU: the other one then only runs once the spinner gives way.
int32_t cellar_current_cpu(void);

/// Names the calling thread (at most 15 bytes are kept) for debuggers,
/// `top -H` and `perf`: Glibc's `pthread_setname_np` is not visible to
/// Swift without `_GNU_SOURCE`.
void cellar_name_current_thread(const char *name);

/// Tells the CPU that the calling thread is spinning on a value another
/// thread will change: the core spends less and the other hyperthread runs
/// faster. Swift has no way to say it.
static inline void cellar_cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

#endif
