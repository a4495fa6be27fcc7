import Cellar
import Foundation

/// Watching, on each backend: how soon a watcher in another process
/// receives a change after the writer's `update` returned, what an idle
/// watcher costs, and what a watcher that follows a fast writer costs the
/// writer (against the same writer with no watcher, in the same run).
struct WatchBenchmarks {
    let workspace: Workspace
    let workload: Workload
    /// The PostgreSQL server's URL, when there is one.
    let postgreSQLServer: String?

    func run() throws -> [BenchmarkResult] {
        var results: [BenchmarkResult] = []
        var stores = [("SQLite", workspace.newPath("watch"))]
        if let postgreSQLServer {
            let schema = "bench_watch_\(UInt32.random(in: 0...UInt32.max))"
            stores.append(("PostgreSQL", postgreSQLServer + (postgreSQLServer.contains("?") ? "&" : "?") + "schema=" + schema))
        }
        for (backend, location) in stores {
            results.append(try latency(backend: backend, location: location))
            results.append(try idleWatcher(backend: backend, location: location))
            results.append(try followingAFastWriter(backend: backend, location: location))
        }
        return results
    }

    // MARK: Cases

    /// Updates spaced out so that each is seen alone; the watcher records
    /// when each value arrived (CLOCK_MONOTONIC is the machine's, shared by
    /// processes), the writer when each update returned.
    func latency(backend: String, location: String) throws -> BenchmarkResult {
        let store = try open(location)
        let counter = try store.restore(Counters.withHistory, key: "latency")
        let start = try counter.get()
        let count = workload.watchLatencyUpdates
        let watcher = try startWatcher(location, key: "latency", after: start, count: count, mode: "times")
        var returned: [Int: Int64] = [:]
        for _ in 0..<count {
            usleep(3_000)
            let value = try counter.update { $0 += 1; return $0 }
            returned[value] = monotonicNanoseconds()
        }
        var samples = Samples()
        for line in try watcher.waitForOutput().split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count == 2, let value = Int(fields[0]), let received = Int64(fields[1]), let sent = returned[value] else {
                throw BenchmarkFailure("the watcher printed '\(line)'")
            }
            samples.append(Double(received - sent))
        }
        try expectExact(samples.values.count, count, "changes the watcher received")
        let p99 = samples.percentile(0.99)
        let p99Limit = 10_000_000.0
        return BenchmarkResult(
            name: "\(backend) watch latency, another process", unit: .nanosecondsPerOperation, measured: samples, floor: nil,
            floorName: "—", peer: nil, target: backend == "SQLite" ? .nanoseconds(1_000_000) : .none,
            extraCheck: (p99 <= p99Limit, String(format: "99th percentile %.0f µs (target ≤ 10 ms), median %.0f µs", p99 / 1_000, samples.median / 1_000)))
    }

    /// A watcher with nothing to see, for a while: its CPU time (Linux's
    /// schedstat, in nanoseconds) over the wall time, as a share of one core.
    func idleWatcher(backend: String, location: String) throws -> BenchmarkResult {
        let store = try open(location)
        let counter = try store.restore(Counters.withHistory, key: "idle")
        let watcher = try startWatcher(location, key: "idle", after: try counter.get(), count: 1, mode: "count")
        usleep(200_000)  // past its start
        let before = try cpuNanoseconds(of: watcher.processIdentifier)
        let wallStart = monotonicNanoseconds()
        usleep(useconds_t(workload.idleWatchSeconds * 1_000_000))
        let used = try cpuNanoseconds(of: watcher.processIdentifier) - before
        let wall = monotonicNanoseconds() - wallStart
        _ = try counter.update { $0 += 1 }  // its one change: it ends
        _ = try watcher.waitForOutput()
        var samples = Samples()
        samples.append(Double(used) / Double(wall) * 100)
        return BenchmarkResult(
            name: "\(backend) idle watcher, % of one core", unit: .percentOfOneCore, measured: samples, floor: nil, floorName: "—",
            peer: nil, target: .none,
            extraCheck: (samples.median <= 0.5, String(format: "%.3f%% over %.0f s (target ≤ 0.5%%)", samples.median, Double(wall) / 1e9)))
    }

    /// A writer's updates with history, as fast as it can, with a watcher in
    /// another process that must receive every one in order, against the
    /// same writer with nobody watching; rounds alternate.
    func followingAFastWriter(backend: String, location: String) throws -> BenchmarkResult {
        let store = try open(location)
        let counter = try store.restore(Counters.withHistory, key: "follow")
        let count = backend == "SQLite" ? workload.watchedUpdates : workload.postgreSQLWatchedUpdates
        var watched = Samples(), alone = Samples()
        for round in 0..<workload.watchRounds {
            try runRotated([
                {
                    let start = try counter.get()
                    let watcher = try startWatcher(location, key: "follow", after: start, count: count, mode: "count")
                    try watched.append(nanoseconds: try elapsedNanoseconds { for _ in 0..<count { try counter.update { $0 += 1 } } },
                                       operations: count)
                    try expectExact(try watcher.waitForOutput(), "\(count) in order", "what the watcher saw")
                },
                { try alone.append(nanoseconds: try elapsedNanoseconds { for _ in 0..<count { try counter.update { $0 += 1 } } },
                                   operations: count) },
            ], round: round)
        }
        return BenchmarkResult(
            name: "\(backend) \(count) updates with history, watched from another process", unit: .nanosecondsPerOperation,
            measured: watched, floor: alone, floorName: "the same updates with no watcher", peer: nil, target: .ratio(1.10))
    }

    // MARK: The watcher

    private func open(_ location: String) throws -> Store {
        location.hasPrefix("postgresql:") ? try Store(url: location) : try Store(at: location)
    }

    /// Starts `cellar-bench child watch` and returns once its watch has started.
    private func startWatcher(_ location: String, key: String, after: Int, count: Int, mode: String) throws -> ChildProcess {
        let ready = workspace.newPath("ready")
        let child = try ChildProcess.start(["child", "watch", "--store", location, "--key", key, "--after-value", String(after),
                                            "--count", String(count), "--mode", mode, "--ready", ready])
        let deadline = monotonicNanoseconds() + 30_000_000_000
        while !FileManager.default.fileExists(atPath: ready) {
            guard monotonicNanoseconds() < deadline else { throw BenchmarkFailure("the watcher did not start") }
            usleep(1_000)
        }
        return child
    }

    /// The child: watches counter `key` of factory "recorded" and expects
    /// the values `afterValue` + 1 through `afterValue` + `count`, in order.
    /// Mode `times` prints "VALUE NANOSECONDS" as each arrives; mode
    /// `count` prints "COUNT in order" at the end.
    static func childWatch(store location: String, key: String, afterValue: Int, count: Int, mode: String, ready: String) async throws -> String {
        let store = location.hasPrefix("postgresql:") ? try Store(url: location) : try Store(at: location)
        let changes = store.changes(of: InstanceID(factory: Counters.withHistory.name, key: key), cell: "count")
        _ = FileManager.default.createFile(atPath: ready, contents: nil)
        var expected = afterValue + 1
        var lines: [String] = []
        for try await change in changes {
            let value = try change.decode(as: Int.self)
            if value <= afterValue { continue }  // the current value
            let received = monotonicNanoseconds()
            guard value == expected else { throw BenchmarkFailure("the watcher got \(value) after \(expected - 1)") }
            if mode == "times" { lines.append("\(value) \(received)") }
            if value == afterValue + count { break }
            expected += 1
        }
        return mode == "times" ? lines.joined(separator: "\n") : "\(count) in order"
    }

    /// CPU time a process has used, all its threads, from Linux's
    /// `/proc/PID/task/*/schedstat` (nanoseconds on the CPU).
    private func cpuNanoseconds(of pid: Int32) throws -> Int64 {
        var total: Int64 = 0
        for thread in try FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task") {
            guard let text = try? String(contentsOfFile: "/proc/\(pid)/task/\(thread)/schedstat", encoding: .utf8),
                  let first = text.split(separator: " ").first, let value = Int64(first) else { continue }
            total += value
        }
        return total
    }
}
