import Cellar
import Foundation
import SQLiteFloor

/// Many threads of one process updating counters of their own in one
/// store at once: what group commit is for.
///
/// The floor is C committing every update on its own, the same updates of
/// the same rows in turn on one connection: as fast as writers that do not
/// share commits can go (SQLite has one writer at a time, so more
/// connections would only add waiting).
struct ConcurrentWriterBenchmarks {
    let workspace: Workspace
    let workload: Workload

    func run() throws -> [BenchmarkResult] {
        [try concurrentWriters(durability: .normal), try concurrentWriters(durability: .full)]
    }

    private func concurrentWriters(durability: Durability) throws -> BenchmarkResult {
        let writers = workload.concurrentWriters
        let each = durability == .full ? workload.concurrentUpdatesFull : workload.concurrentUpdatesNormal
        let synchronous = durability == .full ? "FULL" : "NORMAL"
        let label = durability == .full ? "full" : "normal"
        var cellar = Samples(), floor = Samples()
        for round in 0..<workload.concurrentWriterRounds {
            let engines: [() throws -> Void] = [
                {
                    let path = try newStore(writers: writers)
                    let store = try Store(at: path, options: .init(durability: durability))
                    let counters = try (0..<writers).map { try store.restore(Counters.withoutHistory, key: "w\($0)") }
                    let nanoseconds = try onThreads(writers) { index in
                        for _ in 0..<each { try counters[index].update { $0 += 1 } }
                    }
                    try cellar.append(nanoseconds: nanoseconds, operations: writers * each)
                    try expectCounters(at: path, writers: writers, each: each, "Cellar's")
                },
                {
                    let path = try newStore(writers: writers)
                    guard let database = floor_open(path, synchronous) else { throw BenchmarkFailure("the floor cannot open \(path)") }
                    let instanceIDs = (1...writers).map(Int64.init)
                    let nanoseconds = floor_update_rows_in_turn(
                        database, instanceIDs, Int64(writers), BenchCell.name, BenchCell.sequence, Int64(writers * each))
                    floor_close(database)
                    try floor.append(nanoseconds: nanoseconds, operations: writers * each)
                    try expectCounters(at: path, writers: writers, each: each, "the floor's")
                },
            ]
            try runRotated(engines, round: round)
        }
        let target = durability == .full ? 8.0 : 2.0
        return BenchmarkResult(
            name: "concurrent writers, .\(label)", unit: .nanosecondsPerOperation, measured: cellar, floor: floor,
            floorName: "C, one autocommit UPDATE per commit, the \(writers) counters in turn on one connection, "
                + "synchronous=\(synchronous); \(writers) Cellar threads × \(each) updates of their own counters; "
                + String(format: "the target is %.0fx the floor's throughput", target),
            peer: nil, target: .ratio(1 / target))
    }

    /// A store holding `writers` counters at 0, "w0" ... : instance ids 1 ...
    /// in that order, each cell's one row of seq 1, as the floor expects.
    private func newStore(writers: Int) throws -> String {
        let path = workspace.newPath("writers")
        let store = try Store(at: path)
        for index in 0..<writers {
            try expectExact(try store.restore(Counters.withoutHistory, key: "w\(index)").get(), 0, "a new counter")
        }
        return path
    }

    private func expectCounters(at path: String, writers: Int, each: Int, _ whose: String) throws {
        let store = try Store(at: path, options: .init(access: .existingOnly))
        for index in 0..<writers {
            try expectExact(try store.restore(Counters.withoutHistory, key: "w\(index)").get(), each, "\(whose) counter w\(index)")
        }
    }

    /// Runs `body` on `count` threads of their own, started together;
    /// returns the nanoseconds from the start until the last one ended.
    private func onThreads(_ count: Int, _ body: @escaping @Sendable (Int) throws -> Void) throws -> Int64 {
        let ready = DispatchGroup(), done = DispatchGroup()
        let start = DispatchSemaphore(value: 0)
        let failures = FailureList()
        for index in 0..<count {
            ready.enter()
            done.enter()
            Thread {
                ready.leave()
                start.wait()
                do { try body(index) } catch { failures.append("\(error)") }
                done.leave()
            }.start()
        }
        ready.wait()
        let started = monotonicNanoseconds()
        for _ in 0..<count { start.signal() }
        done.wait()
        let elapsed = monotonicNanoseconds() - started
        if let failure = failures.first { throw BenchmarkFailure("a writer failed: \(failure)") }
        return elapsed
    }
}

/// Errors that threads report.
private final class FailureList: @unchecked Sendable {
    // `@unchecked Sendable`: `failures` is touched only under `lock`.
    private let lock = NSLock()
    private var failures: [String] = []

    func append(_ failure: String) {
        lock.withLock { failures.append(failure) }
    }

    var first: String? {
        lock.withLock { failures.first }
    }
}
