internal import CSQLite
#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// How a connection waits for a lock another process holds: short sleeps
/// that grow from 20 µs to 1 ms, with jitter, until the timeout.
///
/// SQLite's own `sqlite3_busy_timeout` sleeps up to 100 ms at a time, so
/// under contention a waiter often sleeps long after the lock was freed;
/// short sleeps keep several processes that share a counter close to the
/// throughput of one.
final class BusyWait {
    let timeoutNanoseconds: UInt64
    private var startedAt: UInt64 = 0

    init(timeoutMilliseconds: Int) {
        self.timeoutNanoseconds = UInt64(max(0, timeoutMilliseconds)) * 1_000_000
    }

    /// Called by SQLite before each retry of one locking attempt; `attempt`
    /// is 0 for the first. Returns false to give up with `SQLITE_BUSY`.
    func shouldRetry(attempt: Int32) -> Bool {
        let now = Self.monotonicNanoseconds()
        if attempt == 0 { startedAt = now }
        let elapsed = now - startedAt
        guard elapsed < timeoutNanoseconds else { return false }
        let base = UInt64(20_000) << UInt64(min(attempt, 6))  // 20 µs ... 1.28 ms
        let sleep = min(UInt64.random(in: base / 2...base + base / 2), 1_000_000, timeoutNanoseconds - elapsed)
        usleep(useconds_t(max(1, sleep / 1_000)))
        return true
    }

    private static func monotonicNanoseconds() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
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
