#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif
internal import CSharedMemory

/// Looks at `isDone` until it is true, `nanoseconds` have passed or the
/// thread that would make it true runs on this thread's CPU (so that it
/// cannot progress while this one spins), and returns whether it became
/// true: for waits that usually end within microseconds, where putting a
/// thread to sleep and waking it would cost more than the wait.
///
/// `otherCPU` tells the CPU that other thread was last seen on (-1 when
/// not known).
///
/// Between looks the core relaxes (a `pause` takes about 27 ns on the
/// 2-core server this was tuned on); every 16 looks the thread checks the
/// time, and every 128 (about 3.5 µs) it yields its core (about 0.6 µs),
/// in case a thread it waits for, or any other, is ready to run on it.
func spin(forNanoseconds nanoseconds: Int64, otherCPU: () -> Int32, until isDone: () -> Bool) -> Bool {
    let deadline = monotonicNanoseconds() + nanoseconds
    var looks = 0
    while !isDone() {
        looks += 1
        cellar_cpu_relax()
        if looks % 16 == 0 {
            if monotonicNanoseconds() >= deadline { return isDone() }
            let other = otherCPU()
            if other >= 0 && other == cellar_current_cpu() { return isDone() }
        }
        if looks % 128 == 0 { sched_yield() }
    }
    return true
}

/// Yields the core between looks at `isDone` until it is true or
/// `nanoseconds` have passed, and returns whether it became true: for
/// waits of tens of microseconds on a thread that other runnable threads
/// (the one that will make `isDone` true among them) need the core from,
/// where sleeping and being woken would cost more than the wait.
func yieldCore(forNanoseconds nanoseconds: Int64, until isDone: () -> Bool) -> Bool {
    let deadline = monotonicNanoseconds() + nanoseconds
    while !isDone() {
        guard monotonicNanoseconds() < deadline else { return false }
        sched_yield()
    }
    return true
}
