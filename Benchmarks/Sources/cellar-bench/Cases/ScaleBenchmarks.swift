import Cellar
import Foundation
import GRDB

/// What a store's size costs: restoring one key among many closures, and
/// the memory of a process using a few of them.
struct ScaleBenchmarks {
    let workspace: Workspace
    let workload: Workload

    /// How many instances the memory case's child restores and calls.
    static let instancesInUse = 10

    func run() throws -> [BenchmarkResult] {
        let large = workload.largeStoreClosures, small = workload.smallStoreClosures
        let largePath = try populatedStore(closures: large)
        let smallPath = try populatedStore(closures: small)

        var largeRestores = Samples(), smallRestores = Samples()
        for round in 0..<workload.rounds {
            try runRotated([
                { try largeRestores.append(nanoseconds: try timeRestores(path: largePath, closures: large, seed: UInt64(round)),
                                           operations: workload.restores) },
                { try smallRestores.append(nanoseconds: try timeRestores(path: smallPath, closures: small, seed: UInt64(round)),
                                           operations: workload.restores) },
            ], round: round)
        }
        try expectExact(try closureCount(path: largePath), large, "instances in the large store after the restores")
        try expectExact(try closureCount(path: smallPath), small, "instances in the small store after the restores")

        var largeMemory = Samples(), smallMemory = Samples()
        for round in 0..<3 {
            try runRotated([
                { largeMemory.append(try peakMemory(path: largePath, closures: large)) },
                { smallMemory.append(try peakMemory(path: smallPath, closures: small)) },
            ], round: round)
        }
        return [
            BenchmarkResult(
                name: "restore a key among \(large) closures", unit: .nanosecondsPerOperation,
                measured: largeRestores, floor: smallRestores,
                floorName: "restoring a key among \(small) closures", peer: nil, target: .ratio(1.5)),
            BenchmarkResult(
                name: "peak memory, \(large) closures, \(Self.instancesInUse) in use", unit: .kibibytes,
                measured: largeMemory, floor: smallMemory,
                floorName: "the same process on a store of \(small) closures (peak RSS of a child process)",
                peer: nil, target: .ratio(1.2)),
        ]
    }

    /// A store of `closures` counters, "key-0" to "key-N", made by Cellar.
    private func populatedStore(closures: Int) throws -> String {
        let path = workspace.newPath("closures-\(closures)")
        let store = try Store(at: path)
        let batch = 50_000
        for first in stride(from: 0, to: closures, by: batch) {
            try store.transaction {
                for index in first..<min(first + batch, closures) {
                    blackHole(try store.restore(Counters.withHistory, key: "key-\(index)"))
                }
            }
        }
        return path
    }

    /// Nanoseconds for `workload.restores` restores of random existing keys
    /// on a newly opened store.
    private func timeRestores(path: String, closures: Int, seed: UInt64) throws -> Int64 {
        let store = try Store(at: path, options: .init(access: .existingOnly))
        var random = SplitMix64(seed: seed)
        for _ in 0..<100 {  // warm up the statement cache
            blackHole(try store.restore(Counters.withHistory, key: "key-\(random.next() % UInt64(closures))"))
        }
        return try elapsedNanoseconds {
            for _ in 0..<workload.restores {
                blackHole(try store.restore(Counters.withHistory, key: "key-\(random.next() % UInt64(closures))"))
            }
        }
    }

    private func closureCount(path: String) throws -> Int {
        try DatabaseQueue(path: path).read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM closures") ?? 0 }
    }

    /// The peak resident memory, in KiB, of a child process that opens the
    /// store and restores and increments `instancesInUse` of its counters.
    private func peakMemory(path: String, closures: Int) throws -> Double {
        let output = try ChildProcess.start(["child", "memory", "--path", path, "--closures", String(closures)]).waitForOutput()
        guard let kibibytes = Double(output) else { throw BenchmarkFailure("the memory child said '\(output)'") }
        return kibibytes
    }

    /// The child's side of the memory case; returns its peak RSS in KiB.
    static func childMemory(path: String, closures: Int) throws -> String {
        let store = try Store(at: path, options: .init(access: .existingOnly))
        for index in 0..<instancesInUse {
            let counter = try store.restore(Counters.withHistory, key: "key-\(index * (closures / instancesInUse))")
            let before = try counter.get()
            try counter.update { $0 += 1 }
            try expectExact(try counter.get(), before + 1, "a counter in use")
        }
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return String(usage.ru_maxrss)  // KiB on Linux
    }
}

/// A small, fast, seeded random number generator: the same keys every run.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }
}
