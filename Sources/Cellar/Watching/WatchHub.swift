#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// The watches of one store in this process: a thread that sleeps until a
/// commit and then learns up to which number changes are settled, and a
/// connection of their own that the watches read changes through.
///
/// The thread exists while at least one watch does; the last one to end
/// stops it, and its connections close with it. Watches read in their own
/// tasks, each at its own pace, so a slow watch holds up no other.
///
/// `@unchecked Sendable`: every mutable property is touched only under `lock`.
final class WatchHub: @unchecked Sendable {
    private let lock = RecursiveLock()
    private var activeWatches = 0
    private var isRunning = false
    private var reader: Engine?
    private var waiter: (any CommitWaiter)?
    /// The last settled change number the thread found; nil before its first look.
    private var settled: Int64?
    /// Each watch's signal that the settled number moved.
    private var signals: [ObjectIdentifier: AsyncStream<Void>.Continuation] = [:]

    /// How long the thread sleeps when nothing wakes it: a safety net only.
    private static let idleWakeMilliseconds: Int32 = 1_000
    private static let minimumLookIntervalMicroseconds: Int64 = 1_000

    /// Adds `watch` of the store that `engine` writes: connects the
    /// watches' connection and starts the thread if this is the first;
    /// returns the engine to read changes through, and the signal that the
    /// settled number moved.
    ///
    /// The engine is passed in, not kept weakly: a weak reference would
    /// give the engine a side table, and every update pays for that in
    /// slower reference counting.
    func register(_ watch: AnyObject, of engine: Engine) throws -> (reader: Engine, signal: AsyncStream<Void>) {
        lock.lock()
        defer { lock.unlock() }
        if reader == nil || waiter == nil {
            let connection = try engine.fresh { session in try session.openWatchConnection() }
            let reader = connection.map { Engine(backend: $0) } ?? engine
            waiter = try reader.fresh { session in try session.makeCommitWaiter(reader: reader) }
            self.reader = reader
        }
        // Only the newest signal matters: the watch reads the settled number itself.
        let (signal, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        signals[ObjectIdentifier(watch)] = continuation
        activeWatches += 1
        if !isRunning {
            isRunning = true
            startDetachedThread(named: "cellar-watch") { [self] in run() }
        }
        return (reader!, signal)
    }

    /// Removes `watch`; the last one stops the thread.
    func unregister(_ watch: AnyObject) {
        lock.lock()
        signals.removeValue(forKey: ObjectIdentifier(watch))?.finish()
        activeWatches -= 1
        let waiter = activeWatches == 0 ? self.waiter : nil
        lock.unlock()
        waiter?.interrupt()
    }

    /// What ``settled`` holds, read under the lock.
    var settledNumber: Int64? {
        lock.withLock { settled }
    }

    // MARK: The thread

    private func run() {
        var failures = 0
        var lastLook: Int64 = 0
        while true {
            lock.lock()
            guard activeWatches > 0, let waiter else {
                // The connections close with the last references to them.
                isRunning = false
                reader = nil
                self.waiter = nil
                settled = nil
                lock.unlock()
                return
            }
            lock.unlock()
            var timeout = Self.idleWakeMilliseconds
            do {
                // A fast writer wakes the thread at every commit: looking at
                // most once a millisecond reads its changes in batches, and
                // leaves the writer its CPU. A lone change is seen at once.
                let sinceLastLook = (monotonicNanoseconds() - lastLook) / 1_000
                if sinceLastLook < Self.minimumLookIntervalMicroseconds {
                    usleep(useconds_t(Self.minimumLookIntervalMicroseconds - sinceLastLook))
                }
                lastLook = monotonicNanoseconds()
                try waiter.prepare()
                publish(try waiter.settledChangeNumber())
                failures = 0
                try waiter.wait(timeoutMilliseconds: timeout)
            } catch is ChangesNotSettled {
                usleep(5_000)  // writers held their lock; look again soon
            } catch {
                // The server restarted, or the connection broke: try again,
                // less often the longer it lasts. Nothing is missed: the
                // watches read by change number once it is back.
                failures += 1
                timeout = Int32(min(1_000, 10 << min(failures, 7)))
                usleep(useconds_t(timeout) * 1_000)
            }
        }
    }

    /// Records the settled number and signals every watch.
    private func publish(_ number: Int64) {
        lock.lock()
        settled = max(settled ?? number, number)
        let signals = Array(self.signals.values)
        lock.unlock()
        for signal in signals { signal.yield() }
    }
}

extension RecursiveLock {
    func withLock<T>(_ body: () throws -> T) rethrows -> T {
        lock()
        defer { unlock() }
        return try body()
    }
}
