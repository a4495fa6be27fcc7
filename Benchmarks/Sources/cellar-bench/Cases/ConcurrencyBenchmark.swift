import Cellar
import Foundation
import SQLiteFloor

/// Several processes incrementing one shared counter with read-modify-write
/// transactions, against one process doing all the increments alone.
struct ConcurrencyBenchmark {
    let workspace: Workspace
    let workload: Workload

    /// What one child process reports: when it started and ended its loop.
    struct ChildRun {
        let startNanoseconds: Int64
        let endNanoseconds: Int64
    }

    enum Engine: String, CaseIterable {
        case cellar, floor
    }

    func run() throws -> [BenchmarkResult] {
        let processes = workload.processes
        let perProcess = workload.updatesPerProcess
        let total = processes * perProcess
        var together: [Engine: Samples] = [:], alone: [Engine: Samples] = [:]
        var slowestShare = Double.infinity
        var worstRun = ""
        for round in 0..<workload.concurrencyRounds {
            for engine in Engine.allCases {
                // One process alone, then all of them at once, on fresh files.
                let aloneRuns = try runChildren(engine: engine, processes: 1, updatesEach: total, label: "alone-\(round)")
                alone[engine, default: Samples()].append(Double(span(aloneRuns)) / Double(total))

                let runs = try runChildren(engine: engine, processes: processes, updatesEach: perProcess, label: "together-\(round)")
                together[engine, default: Samples()].append(Double(span(runs)) / Double(total))
                // Fairness: each process's own rate against the median rate.
                let start = runs.map(\.startNanoseconds).min() ?? 0
                let rates = runs.map { Double(perProcess) / Double($0.endNanoseconds - start) }
                let median = rates.sorted()[rates.count / 2]
                if engine == .cellar, let slowest = rates.min(), slowest / median < slowestShare {
                    slowestShare = slowest / median
                    worstRun = String(format: "round %d, %.2f of the median rate", round + 1, slowestShare)
                }
            }
        }
        guard let cellarTogether = together[.cellar], let cellarAlone = alone[.cellar],
              let floorTogether = together[.floor], let floorAlone = alone[.floor] else {
            throw BenchmarkFailure("the concurrency case ran no rounds")
        }
        let fair = slowestShare >= 0.5
        let floorRatio = floorTogether.ratio(to: floorAlone)
        return [
            BenchmarkResult(
                name: "read-modify-write, \(processes) processes × \(perProcess)", unit: .nanosecondsPerOperation,
                measured: cellarTogether, floor: floorTogether,
                floorName: "\(processes) C processes, BEGIN IMMEDIATE, SELECT, UPDATE, COMMIT", peer: nil, target: .none),
            BenchmarkResult(
                name: "\(processes) processes against 1", unit: .nanosecondsPerOperation,
                measured: cellarTogether, floor: cellarAlone,
                floorName: String(format: "one Cellar process doing all %d updates (the C floor's ratio: %.2fx)",
                                  total, floorRatio),
                peer: nil, target: .ratio(1 / 0.8),
                extraCheck: (fair, "every count exact; slowest process \(worstRun) (at least 0.5 to pass)")),
        ]
    }

    /// Nanoseconds from the first start to the last end.
    private func span(_ runs: [ChildRun]) -> Int64 {
        (runs.map(\.endNanoseconds).max() ?? 0) - (runs.map(\.startNanoseconds).min() ?? 0)
    }

    /// Starts `processes` children that all begin their loops at the same
    /// instant, waits for them, and checks the counter counted every update.
    private func runChildren(engine: Engine, processes: Int, updatesEach: Int, label: String) throws -> [ChildRun] {
        let path = try workspace.newCounterStore("\(engine)-\(label)", recordsHistory: false)
        // Late enough for every child to have opened the store.
        let startAt = monotonicNanoseconds() + 300_000_000 + Int64(processes) * 50_000_000
        let children = try (0..<processes).map { _ in
            try ChildProcess.start([
                "child", "read-modify-write", "--engine", engine.rawValue, "--path", path,
                "--count", String(updatesEach), "--start-at", String(startAt),
            ])
        }
        let runs = try children.map { child in
            let output = try child.waitForOutput()
            let fields = output.split(separator: " ").compactMap { Int64($0) }
            guard fields.count == 2 else { throw BenchmarkFailure("a child said '\(output)'") }
            return ChildRun(startNanoseconds: fields[0], endNanoseconds: fields[1])
        }
        try expectExact(try workspace.counterValue(at: path, recordsHistory: false), processes * updatesEach,
                        "the shared counter after \(processes) \(engine) processes")
        return runs
    }

    /// The child's side: `count` increments, starting at `startAt`; prints
    /// "START END" in monotonic nanoseconds.
    static func childLoop(engine: Engine, path: String, count: Int, startAt: Int64) throws -> String {
        switch engine {
        case .cellar:
            let store = try Store(at: path, options: .init(access: .existingOnly))
            let counter = try store.restore(Counters.withoutHistory, key: "bench")
            let start = waitUntil(startAt)
            for _ in 0..<count { try counter.update { $0 += 1 } }
            return "\(start) \(monotonicNanoseconds())"
        case .floor:
            guard let database = floor_open(path, "NORMAL") else { throw BenchmarkFailure("the floor cannot open \(path)") }
            defer { floor_close(database) }
            let start = waitUntil(startAt)
            guard floor_read_modify_write(database, BenchCell.instanceID, BenchCell.name, BenchCell.sequence, Int64(count)) >= 0 else {
                throw BenchmarkFailure("the floor failed")
            }
            return "\(start) \(monotonicNanoseconds())"
        }
    }

    private static func waitUntil(_ instant: Int64) -> Int64 {
        while monotonicNanoseconds() < instant {
            usleep(100)
        }
        return monotonicNanoseconds()
    }
}
