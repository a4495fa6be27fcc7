import Cellar
import SQLiteFloor

/// Durable `update { $0 += 1 }` on one counter: one commit per update, or
/// many updates in one transaction.
struct UpdateBenchmarks {
    let workspace: Workspace
    let workload: Workload

    /// One commit per update, against C and GRDB committing the same change.
    ///
    /// Without history Cellar rewrites the cell's row in place, like the C
    /// `UPDATE`; with history it adds the next version, like the C `INSERT`.
    func durableUpdates(recordsHistory: Bool, durability: Durability) throws -> BenchmarkResult {
        let count = durability == .full ? workload.fullDurabilityUpdates : workload.updates
        let synchronous = durability == .full ? "FULL" : "NORMAL"
        var cellar = Samples(), floor = Samples(), peer = Samples()
        for round in 0..<(durability == .full ? workload.fullDurabilityRounds : workload.rounds) {
            let engines: [() throws -> Void] = [
                {
                    let path = try workspace.newCounterStore("cellar", recordsHistory: recordsHistory)
                    try cellar.append(nanoseconds: try cellarUpdates(path: path, recordsHistory: recordsHistory,
                                                                     durability: durability, count: count), operations: count)
                    try expectExact(try workspace.counterValue(at: path, recordsHistory: recordsHistory), count, "Cellar's count")
                },
                {
                    let path = try workspace.newCounterStore("floor", recordsHistory: recordsHistory)
                    guard let database = floor_open(path, synchronous) else { throw BenchmarkFailure("the floor cannot open \(path)") }
                    let nanoseconds = recordsHistory
                        ? floor_append_versions(database, BenchCell.instanceID, BenchCell.name, BenchCell.sequence + 1, 1, Int64(count))
                        : floor_update_in_place(database, BenchCell.instanceID, BenchCell.name, BenchCell.sequence, Int64(count))
                    floor_close(database)
                    try floor.append(nanoseconds: nanoseconds, operations: count)
                    try expectExact(try workspace.counterValue(at: path, recordsHistory: recordsHistory), count, "the floor's count")
                },
                {
                    let path = try workspace.newCounterStore("grdb", recordsHistory: recordsHistory)
                    let grdb = try GRDBPeer(path: path, synchronous: synchronous)
                    let nanoseconds = recordsHistory ? try grdb.appendVersions(count: count) : try grdb.updateInPlace(count: count)
                    try peer.append(nanoseconds: nanoseconds, operations: count)
                    try expectExact(try workspace.counterValue(at: path, recordsHistory: recordsHistory), count, "GRDB's count")
                },
            ]
            try runRotated(engines, round: round)
        }
        let what = recordsHistory ? "C INSERT of the next version" : "C UPDATE in place"
        return BenchmarkResult(
            name: "update, .\(durability == .full ? "full" : "normal"), history \(recordsHistory ? "on" : "off")",
            unit: .nanosecondsPerOperation, measured: cellar, floor: floor,
            floorName: "\(what), autocommit, synchronous=\(synchronous)", peer: peer,
            target: .ratio(durability == .full ? 1.05 : 1.15))
    }

    /// Many updates inside one `Store.transaction`, against C running the
    /// same updates between one `BEGIN IMMEDIATE` and `COMMIT`.
    func updatesInOneTransaction() throws -> BenchmarkResult {
        let count = workload.updatesInOneTransaction
        var cellar = Samples(), floor = Samples()
        for round in 0..<max(3, workload.rounds - 2) {
            let engines: [() throws -> Void] = [
                {
                    let path = try workspace.newCounterStore("cellar", recordsHistory: false)
                    let store = try Store(at: path)
                    let counter = try store.restore(Counters.withoutHistory, key: "bench")
                    let nanoseconds = try elapsedNanoseconds {
                        try store.transaction {
                            for _ in 0..<count { try counter.update { $0 += 1 } }
                        }
                    }
                    try cellar.append(nanoseconds: nanoseconds, operations: count)
                    try expectExact(try workspace.counterValue(at: path, recordsHistory: false), count, "Cellar's count")
                },
                {
                    let path = try workspace.newCounterStore("floor", recordsHistory: false)
                    guard let database = floor_open(path, "NORMAL") else { throw BenchmarkFailure("the floor cannot open \(path)") }
                    let nanoseconds = floor_updates_in_one_transaction(
                        database, BenchCell.instanceID, BenchCell.name, BenchCell.sequence, Int64(count))
                    floor_close(database)
                    try floor.append(nanoseconds: nanoseconds, operations: count)
                    try expectExact(try workspace.counterValue(at: path, recordsHistory: false), count, "the floor's count")
                },
            ]
            try runRotated(engines, round: round)
        }
        return BenchmarkResult(
            name: "\(count) updates in one transaction", unit: .nanosecondsPerOperation, measured: cellar, floor: floor,
            floorName: "C UPDATE in place, \(count) in one transaction", peer: nil, target: .ratio(1.5))
    }

    /// `count` synchronous updates of counter "bench" at `path`; the nanoseconds they took.
    func cellarUpdates(path: String, recordsHistory: Bool, durability: Durability, count: Int) throws -> Int64 {
        let store = try Store(at: path, options: .init(durability: durability))
        let counter = try store.restore(Counters.factory(recordsHistory: recordsHistory), key: "bench")
        return try elapsedNanoseconds {
            for _ in 0..<count { try counter.update { $0 += 1 } }
        }
    }
}

/// Runs one round's engines, each round starting with the next one, so that
/// no engine always runs first (or last) on a warming or tiring machine.
func runRotated(_ engines: [() throws -> Void], round: Int) throws {
    for index in engines.indices {
        try engines[(index + round) % engines.count]()
    }
}
