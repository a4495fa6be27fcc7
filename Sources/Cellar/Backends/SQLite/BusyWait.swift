internal import CSQLite
#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// How a connection waits for a lock another process holds: sleeps that
/// start at about 1 ms and double up to about 5 ms, with jitter, until the
/// timeout.
///
/// SQLite's own `sqlite3_busy_timeout` sleeps up to 100 ms at a time, so a
/// waiter often sleeps long after the lock was freed. Much shorter sleeps
/// (from 20 µs) are worse in another way: waiters that wake every few
/// microseconds to try the lock take the processor and the file's locks from
/// the process holding it. Four processes sharing a counter on two cores
/// took 1.3x to 1.47x the time per change of one process alone with sleeps
/// from 20 µs, and 0.98x to 1.28x (mostly about 1.05x) with sleeps from 1 ms,
/// which let the holder run several transactions in a row (Benchmarks/,
/// "4 processes against 1"). The price: a waiter that meets a short
/// transaction waits at least half a millisecond.
final class BusyWait {
    let timeoutNanoseconds: UInt64
    private var startedAt: UInt64 = 0

    init(timeoutMilliseconds: Int) {
        self.timeoutNanoseconds = UInt64(max(0, timeoutMilliseconds)) * 1_000_000
    }

    /// Called by SQLite before each retry of one locking attempt; `attempt`
    /// is 0 for the first. Returns false to give up with `SQLITE_BUSY`.
    func shouldRetry(attempt: Int32) -> Bool {
        let now = UInt64(monotonicNanoseconds())
        if attempt == 0 { startedAt = now }
        let elapsed = now - startedAt
        guard elapsed < timeoutNanoseconds else { return false }
        let base = UInt64(1_000_000) << UInt64(min(attempt, 3))  // 1 ms ... 8 ms
        let sleep = min(UInt64.random(in: base / 2...base + base / 2), 5_000_000, timeoutNanoseconds - elapsed)
        usleep(useconds_t(max(1, sleep / 1_000)))
        return true
    }
}

extension Connection {
    /// Makes the connection wait up to `milliseconds` for a lock held by
    /// another connection before it fails with `SQLITE_BUSY`.
    func setBusyTimeout(milliseconds: Int) {
        let wait = BusyWait(timeoutMilliseconds: milliseconds)
        busyWait = wait
        sqlite3_busy_handler(handle, { context, attempt in
            guard let context else { return 0 }
            return Unmanaged<BusyWait>.fromOpaque(context).takeUnretainedValue().shouldRetry(attempt: attempt) ? 1 : 0
        }, Unmanaged.passUnretained(wait).toOpaque())
    }

    /// Runs `body` again after each `SQLITE_BUSY` it throws, with the busy
    /// handler's waits, until the busy timeout: for the few operations that
    /// SQLite fails at once rather than calling the busy handler.
    func retryingWhileBusy<T>(_ body: () throws -> T) throws -> T {
        var attempt: Int32 = 0
        while true {
            do {
                return try body()
            } catch let error as SQLiteError where SQLiteError.ResultCode.busy ~= error.code {
                guard let busyWait, busyWait.shouldRetry(attempt: attempt) else { throw error }
                attempt += 1
            }
        }
    }
}
