import Cellar
import Foundation

/// The async API against the synchronous one: what running an update on a
/// thread the store owns costs a task that awaits one after another.
struct AsyncBenchmarks {
    let workspace: Workspace
    let workload: Workload

    /// `try await counter.update { $0 += 1 }` in one task, on the default
    /// executor and on the store's (`Store.executor`), against the
    /// synchronous `update` on one thread, alternating rounds on fresh files.
    func awaitedUpdates() throws -> [BenchmarkResult] {
        let count = workload.updates
        var awaited = Samples(), onStoreExecutor = Samples(), synchronous = Samples()
        /// `count` awaited updates of a new store's counter, in a task on
        /// the store's executor or on the default one.
        func timeAwaitedUpdates(onStoreExecutor: Bool, into samples: inout Samples) throws {
            let path = try workspace.newCounterStore("async", recordsHistory: false)
            let store = try Store(at: path)
            let counter = try store.restore(Counters.withoutHistory, key: "bench")
            let nanoseconds = try Self.waitFor(on: onStoreExecutor ? store.executor : nil) {
                let start = monotonicNanoseconds()
                for _ in 0..<count { try await counter.update { $0 += 1 } }
                return monotonicNanoseconds() - start
            }
            try samples.append(nanoseconds: nanoseconds, operations: count)
            try expectExact(try workspace.counterValue(at: path, recordsHistory: false), count, "the awaited count")
        }
        for round in 0..<workload.rounds {
            let engines: [() throws -> Void] = [
                { try timeAwaitedUpdates(onStoreExecutor: false, into: &awaited) },
                { try timeAwaitedUpdates(onStoreExecutor: true, into: &onStoreExecutor) },
                {
                    let path = try workspace.newCounterStore("sync", recordsHistory: false)
                    let nanoseconds = try UpdateBenchmarks(workspace: workspace, workload: workload)
                        .cellarUpdates(path: path, recordsHistory: false, durability: .normal, count: count)
                    try synchronous.append(nanoseconds: nanoseconds, operations: count)
                    try expectExact(try workspace.counterValue(at: path, recordsHistory: false), count, "the synchronous count")
                },
            ]
            try runRotated(engines, round: round)
        }
        let floorName = "Cellar's synchronous update on one thread, history off, synchronous=NORMAL"
        return [
            BenchmarkResult(name: "await cell.update, one task", unit: .nanosecondsPerOperation, measured: awaited,
                            floor: synchronous, floorName: floorName, peer: nil, target: .ratio(1.1)),
            BenchmarkResult(name: "await cell.update, one task on the store's executor", unit: .nanosecondsPerOperation,
                            measured: onStoreExecutor, floor: synchronous, floorName: floorName, peer: nil, target: .ratio(1.1)),
        ]
    }

    /// Runs `body` in a task (that prefers `executor` when given) and waits
    /// for it on this thread (not one of the cooperative pool's).
    static func waitFor<T: Sendable>(
        on executor: (any TaskExecutor)? = nil, _ body: @escaping @Sendable () async throws -> T
    ) throws -> T {
        let outcome = AwaitedOutcome<T>()
        let done = DispatchSemaphore(value: 0)
        Task.detached(executorPreference: executor) {
            do { outcome.result = .success(try await body()) } catch { outcome.result = .failure(error) }
            done.signal()
        }
        done.wait()
        return try outcome.result!.get()
    }
}

/// What a task waited for on another thread returned.
private final class AwaitedOutcome<T: Sendable>: @unchecked Sendable {
    // `@unchecked Sendable`: written by the task before it signals, read after the wait.
    var result: Result<T, any Error>?
}
