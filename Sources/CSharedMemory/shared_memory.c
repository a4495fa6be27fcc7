#define _GNU_SOURCE  // sched_getcpu, pthread_setname_np
#include "CSharedMemory.h"

#include <pthread.h>
#include <sched.h>

#include <stdatomic.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <linux/futex.h>
#include <sys/syscall.h>
#endif

_Thread_local intptr_t cellar_locks_held_by_thread = 0;
_Thread_local const void *cellar_workers_of_thread = 0;

int64_t cellar_load64(const int64_t *address) {
    return atomic_load((const _Atomic int64_t *)address);
}

void cellar_store64(int64_t *address, int64_t value) {
    atomic_store((_Atomic int64_t *)address, value);
}

void cellar_raise64(int64_t *address, int64_t value) {
    _Atomic int64_t *word = (_Atomic int64_t *)address;
    int64_t current = atomic_load(word);
    while (current < value && !atomic_compare_exchange_weak(word, &current, value)) {
    }
}

uint32_t cellar_load32(const uint32_t *address) {
    return atomic_load((const _Atomic uint32_t *)address);
}

uint32_t cellar_add32(uint32_t *address, int32_t delta) {
    return atomic_fetch_add((_Atomic uint32_t *)address, (uint32_t)delta) + (uint32_t)delta;
}

void cellar_wait32(const uint32_t *address, uint32_t expected, int32_t timeout_ms) {
#ifdef __linux__
    struct timespec timeout = {timeout_ms / 1000, (long)(timeout_ms % 1000) * 1000000L};
    // Not FUTEX_PRIVATE_FLAG: waiters and wakers are in different processes.
    syscall(SYS_futex, address, FUTEX_WAIT, expected, &timeout, NULL, 0);
#else
    if (cellar_load32(address) == expected) usleep((useconds_t)(timeout_ms < 2 ? timeout_ms * 1000 : 2000));
#endif
}

void cellar_wake_all(uint32_t *address) {
#ifdef __linux__
    syscall(SYS_futex, address, FUTEX_WAKE, INT32_MAX, NULL, NULL, 0);
#else
    (void)address;
#endif
}

int32_t cellar_current_cpu(void) {
#ifdef __linux__
    return sched_getcpu();
#else
    return -1;
#endif
}

void cellar_name_current_thread(const char *name) {
#ifdef __linux__
    char truncated[16];
    strncpy(truncated, name, sizeof truncated - 1);
    truncated[sizeof truncated - 1] = 0;
    pthread_setname_np(pthread_self(), truncated);
#elif defined(__APPLE__)
    pthread_setname_np(name);
#endif
}
