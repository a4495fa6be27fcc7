/// How much work each case does: the full suite, or `--quick`, small enough
/// for CI, which checks that every case runs and counts exactly.
struct Workload: Sendable {
    var rounds: Int
    var updates: Int
    var fullDurabilityUpdates: Int
    /// More rounds than the others: an fsync's time wanders, and only many
    /// short rounds, alternating, compare two engines fairly.
    var fullDurabilityRounds: Int
    var updatesInOneTransaction: Int
    var reads: Int
    var memoryReads: Int
    var updatesPerProcess: Int
    var processes: Int
    var concurrencyRounds: Int
    var largeStoreClosures: Int
    var smallStoreClosures: Int
    var restores: Int
    var acctRuns: Int
    var postgreSQLRounds: Int
    var postgreSQLUpdates: Int
    var postgreSQLFullUpdates: Int
    var postgreSQLReads: Int
    var postgreSQLProcesses: Int
    var postgreSQLUpdatesPerProcess: Int
    /// Updates a watcher in another process receives, one at a time.
    var watchLatencyUpdates: Int
    /// How long an idle watcher's CPU time is measured.
    var idleWatchSeconds: Double
    /// Updates a watcher follows as fast as the writer makes them (the 20,000).
    var watchedUpdates: Int
    var postgreSQLWatchedUpdates: Int
    var watchRounds: Int
    /// Threads updating counters of their own at once (the 16).
    var concurrentWriters: Int
    var concurrentUpdatesNormal: Int
    var concurrentUpdatesFull: Int
    var concurrentWriterRounds: Int

    static let full = Workload(
        rounds: 7, updates: 20_000, fullDurabilityUpdates: 300, fullDurabilityRounds: 15, updatesInOneTransaction: 1_000_000,
        reads: 200_000, memoryReads: 10_000_000, updatesPerProcess: 5_000, processes: 4, concurrencyRounds: 5,
        largeStoreClosures: 1_000_000, smallStoreClosures: 1_000, restores: 5_000, acctRuns: 40,
        postgreSQLRounds: 7, postgreSQLUpdates: 3_000, postgreSQLFullUpdates: 1_000, postgreSQLReads: 20_000,
        postgreSQLProcesses: 8, postgreSQLUpdatesPerProcess: 2_000,
        watchLatencyUpdates: 500, idleWatchSeconds: 10, watchedUpdates: 20_000, postgreSQLWatchedUpdates: 20_000, watchRounds: 3,
        concurrentWriters: 16, concurrentUpdatesNormal: 1_000, concurrentUpdatesFull: 40, concurrentWriterRounds: 7)

    static let quick = Workload(
        rounds: 2, updates: 200, fullDurabilityUpdates: 10, fullDurabilityRounds: 2, updatesInOneTransaction: 2_000,
        reads: 1_000, memoryReads: 10_000, updatesPerProcess: 100, processes: 4, concurrencyRounds: 1,
        largeStoreClosures: 3_000, smallStoreClosures: 1_000, restores: 100, acctRuns: 2,
        postgreSQLRounds: 1, postgreSQLUpdates: 20, postgreSQLFullUpdates: 10, postgreSQLReads: 100,
        postgreSQLProcesses: 8, postgreSQLUpdatesPerProcess: 20,
        watchLatencyUpdates: 10, idleWatchSeconds: 0.2, watchedUpdates: 200, postgreSQLWatchedUpdates: 50, watchRounds: 1,
        concurrentWriters: 16, concurrentUpdatesNormal: 10, concurrentUpdatesFull: 2, concurrentWriterRounds: 1)
}
