import Cellar
import Foundation
import GRDB
import SQLiteFloor

/// What a store's size costs: restoring one key among many instances, and
/// the memory of a process using a few of them.
struct ScaleBenchmarks {
    let workspace: Workspace
    let workload: Workload

    /// How many instances the memory case's child restores and calls.
    static let instancesInUse = 10

    func run() throws -> [BenchmarkResult] {
        let large = workload.largeStoreClosures, small = workload.smallStoreClosures
        let largePath = workspace.newPath("closures-\(large)")
        try Self.populateStore(at: largePath, closures: large)
        let smallPath = workspace.newPath("closures-\(small)")
        try Self.populateStore(at: smallPath, closures: small)

        var largeRestores = Samples(), smallRestores = Samples(), largeLookups = Samples(), smallLookups = Samples()
        for round in 0..<workload.rounds {
            let seed = UInt64(round)
            try runRotated([
                { try largeRestores.append(nanoseconds: try timeRestores(path: largePath, closures: large, seed: seed),
                                           operations: workload.restores) },
                { try smallRestores.append(nanoseconds: try timeRestores(path: smallPath, closures: small, seed: seed),
                                           operations: workload.restores) },
                { try largeLookups.append(nanoseconds: try timeFloorLookups(path: largePath, closures: large, seed: seed),
                                          operations: workload.restores) },
                { try smallLookups.append(nanoseconds: try timeFloorLookups(path: smallPath, closures: small, seed: seed),
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
                name: "restore a key among \(large) instances", unit: .nanosecondsPerOperation,
                measured: largeRestores, floor: smallRestores,
                floorName: "restoring a key among \(small) instances", peer: nil, target: .ratio(1.5)),
            BenchmarkResult(
                name: "C restore lookups among \(large) instances", unit: .nanosecondsPerOperation,
                measured: largeLookups, floor: smallLookups,
                floorName: "the same C lookups among \(small) instances (what SQLite itself pays for the size)",
                peer: nil, target: .none),
            BenchmarkResult(
                name: "peak memory, \(large) instances, \(Self.instancesInUse) in use", unit: .kibibytes,
                measured: largeMemory, floor: smallMemory,
                floorName: "the same process on a store of \(small) instances (peak RSS of a child process)",
                peer: nil, target: .ratio(1.2)),
        ]
    }

    /// Makes a store of `closures` counters, "key-0" to "key-N", with Cellar.
    static func populateStore(at path: String, closures: Int) throws {
        let store = try Store(at: path)
        let batch = 50_000
        for first in stride(from: 0, to: closures, by: batch) {
            try store.transaction {
                for index in first..<min(first + batch, closures) {
                    blackHole(try store.restore(Counters.withHistory, key: "key-\(index)"))
                }
            }
        }
    }

    /// Nanoseconds for `workload.restores` restores of random existing keys
    /// on a newly opened store.
    private func timeRestores(path: String, closures: Int, seed: UInt64) throws -> Int64 {
        try Self.readWholeFile(path)
        let store = try Store(at: path, options: .init(access: .existingOnly))
        var random = SplitMix64(seed: seed)
        try Self.restoreRandomKeys(100, of: store, closures: closures, random: &random)  // warm up the statement cache
        return try elapsedNanoseconds {
            try Self.restoreRandomKeys(workload.restores, of: store, closures: closures, random: &random)
        }
    }

    static func restoreRandomKeys(_ count: Int, of store: Store, closures: Int, random: inout SplitMix64) throws {
        for _ in 0..<count {
            blackHole(try store.restore(Counters.withHistory, key: "key-\(random.next() % UInt64(closures))"))
        }
    }

    /// Nanoseconds for the C floor's reads of `workload.restores` restores
    /// of random existing keys, on a newly opened connection.
    private func timeFloorLookups(path: String, closures: Int, seed: UInt64) throws -> Int64 {
        try Self.readWholeFile(path)
        guard let database = floor_open(path, "NORMAL") else { throw BenchmarkFailure("the floor cannot open \(path)") }
        defer { floor_close(database) }
        var random = SplitMix64(seed: seed)
        let warmUp = (0..<100).map { _ in Int64(random.next() % UInt64(closures)) }
        let indices = (0..<workload.restores).map { _ in Int64(random.next() % UInt64(closures)) }
        var found: Int64 = 0
        _ = floor_restore_lookups(database, Counters.withHistory.name, "count", warmUp, Int64(warmUp.count), &found)
        let nanoseconds = floor_restore_lookups(database, Counters.withHistory.name, "count", indices, Int64(indices.count), &found)
        try expectExact(Int(found), indices.count, "instances the C lookups found")
        return nanoseconds
    }

    /// Reads the file, so that the operating system caches all of it: the
    /// case measures lookups among many closures, not the disk (and on a
    /// machine that reclaims idle memory, a file written a minute ago may
    /// already be gone from the cache).
    static func readWholeFile(_ path: String) throws {
        guard let file = FileHandle(forReadingAtPath: path) else { throw BenchmarkFailure("cannot read \(path)") }
        defer { try? file.close() }
        while let chunk = try file.read(upToCount: 1 << 20), !chunk.isEmpty {}
    }

    private func closureCount(path: String) throws -> Int {
        try DatabaseQueue(path: path).read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM instances") ?? 0 }
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
        // The peak of this process's own memory. Not getrusage's ru_maxrss:
        // a child started with posix_spawn shares its parent's memory until
        // exec, and Linux counts the parent's peak as the child's.
        let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kibibytes = line.split(separator: " ").dropFirst().first else {
            throw BenchmarkFailure("no VmHWM in /proc/self/status")
        }
        return String(kibibytes)
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
