import Cellar
import SQLiteFloor

/// Reads of a cell: when another process may have written since the last
/// read, and when none can have.
struct ReadBenchmarks {
    let workspace: Workspace
    let workload: Workload
    /// What counter "bench" holds while it is read.
    private let storedValue = 7

    /// `get()` on a shared store: each read first asks the file whether
    /// another process committed. Against C and GRDB selecting the value.
    func sharedReads() throws -> BenchmarkResult {
        let count = workload.reads
        let path = try workspace.newCounterStore("reads", recordsHistory: false)
        let store = try Store(at: path)
        let counter = try store.restore(Counters.withoutHistory, key: "bench")
        try counter.set(storedValue)
        guard let database = floor_open(path, "NORMAL") else { throw BenchmarkFailure("the floor cannot open \(path)") }
        defer { floor_close(database) }
        let grdb = try GRDBPeer(path: path, synchronous: "NORMAL")

        var cellar = Samples(), floor = Samples(), peer = Samples()
        for round in 0..<workload.rounds {
            let engines: [() throws -> Void] = [
                {
                    var sum = 0
                    let nanoseconds = try elapsedNanoseconds {
                        for _ in 0..<count { sum += try counter.get() }
                    }
                    try expectExact(sum, count * storedValue, "the sum of Cellar's reads")
                    try cellar.append(nanoseconds: nanoseconds, operations: count)
                },
                {
                    var sum: Int64 = 0
                    let nanoseconds = floor_read_newest(database, BenchCell.instanceID, BenchCell.name, Int64(count), &sum)
                    try floor.append(nanoseconds: nanoseconds, operations: count)
                    try expectExact(Int(sum), count * storedValue, "the sum of the floor's reads")
                },
                {
                    var sum = 0
                    let nanoseconds = try grdb.readNewest(count: count, sum: &sum)
                    try expectExact(sum, count * storedValue, "the sum of GRDB's reads")
                    try peer.append(nanoseconds: nanoseconds, operations: count)
                },
            ]
            try runRotated(engines, round: round)
        }
        return BenchmarkResult(
            name: "get, shared store", unit: .nanosecondsPerOperation, measured: cellar, floor: floor,
            floorName: "C SELECT of the newest value, autocommit", peer: peer, target: .ratio(1.2))
    }

    /// `get()` where no other process can have changed the value: on a store
    /// opened with `sharing: .exclusive`, or inside a transaction (which holds
    /// the write lock). Against reading a Swift `var`.
    func readsFromMemory(insideTransaction: Bool) throws -> BenchmarkResult {
        let count = workload.memoryReads
        let path = try workspace.newCounterStore("memory-reads", recordsHistory: false)
        let store = try Store(at: path, options: .init(sharing: insideTransaction ? .shared : .exclusive))
        let counter = try store.restore(Counters.withoutHistory, key: "bench")
        try counter.set(storedValue)
        let box = VariableBox(value: storedValue)

        var cellar = Samples(), floor = Samples()
        for round in 0..<workload.rounds {
            let engines: [() throws -> Void] = [
                {
                    var sum = 0
                    let nanoseconds = try elapsedNanoseconds {
                        if insideTransaction {
                            try store.transaction {
                                for _ in 0..<count { sum += try counter.get() }
                            }
                        } else {
                            for _ in 0..<count { sum += try counter.get() }
                        }
                    }
                    try expectExact(sum, count * storedValue, "the sum of Cellar's reads")
                    try cellar.append(nanoseconds: nanoseconds, operations: count)
                },
                {
                    var sum = 0
                    let nanoseconds = elapsedNanoseconds {
                        for _ in 0..<count { sum += readVariable(box) }
                    }
                    try expectExact(sum, count * storedValue, "the sum of the variable's reads")
                    try floor.append(nanoseconds: nanoseconds, operations: count)
                },
            ]
            try runRotated(engines, round: round)
        }
        return BenchmarkResult(
            name: insideTransaction ? "get, inside a transaction" : "get, store owned by this process",
            unit: .nanosecondsPerOperation, measured: cellar, floor: floor,
            floorName: "reading a Swift var (through a function call the optimizer cannot remove)",
            peer: nil, target: .nanoseconds(50))
    }
}

/// A Swift variable on the heap, the floor of a read from memory.
final class VariableBox {
    var value: Int
    init(value: Int) { self.value = value }
}

@inline(never)
func readVariable(_ box: VariableBox) -> Int {
    box.value
}
