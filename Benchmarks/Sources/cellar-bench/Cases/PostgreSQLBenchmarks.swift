import Cellar
import Foundation
import PostgreSQLFloor

/// Cellar on PostgreSQL against C calling libpq (the floor), on the same
/// server with the same `synchronous_commit`, in the same run. Each case
/// works in a schema of its own.
struct PostgreSQLBenchmarks {
    /// The server's libpq URL, without a schema.
    let server: String
    let workload: Workload

    func run() throws -> [BenchmarkResult] {
        [
            try updates(durability: .normal),
            try updates(durability: .full),
            try reads(),
            try restores(),
            try processes(distinctKeys: false),
            try processes(distinctKeys: true),
        ] + (try tasks())
    }

    /// `update { $0 += 1 }` on a counter without history, one commit each,
    /// against C making the same change in the same two round trips, and
    /// against the naive four.
    func updates(durability: Durability) throws -> BenchmarkResult {
        let synchronousCommit = durability == .full ? "on" : "off"
        let count = durability == .full ? workload.postgreSQLFullUpdates : workload.postgreSQLUpdates
        let (url, schema) = try newCounters("update_\(synchronousCommit)", keys: ["cellar", "floor", "naive", "optimistic"])
        let store = try Store(url: url, options: .init(durability: durability))
        let counter = try store.restore(Counters.withoutHistory, key: "cellar")
        let floor = try connectFloor(url: url, schema: schema, synchronousCommit: synchronousCommit)
        defer { pgfloor_close(floor) }
        let floorRow = try cellRow(floor, key: "floor"), naiveRow = try cellRow(floor, key: "naive")
        let optimisticRow = try cellRow(floor, key: "optimistic")
        var cellar = Samples(), pipelined = Samples(), naive = Samples(), optimistic = Samples()
        for round in 0..<workload.postgreSQLRounds {
            try runRotated([
                { try cellar.append(nanoseconds: try elapsedNanoseconds { for _ in 0..<count { try counter.update { $0 += 1 } } },
                                    operations: count) },
                { try pipelined.append(nanoseconds: pgfloor_pipelined_updates(floor, floorRow.id, BenchCell.name, floorRow.seq, Int64(count)),
                                       operations: count) },
                { try naive.append(nanoseconds: pgfloor_naive_updates(floor, naiveRow.id, BenchCell.name, naiveRow.seq, Int64(count)),
                                   operations: count) },
                { try optimistic.append(
                    nanoseconds: pgfloor_optimistic_updates(floor, optimisticRow.id, BenchCell.name, optimisticRow.seq, Int64(count)),
                    operations: count) },
            ], round: round)
        }
        let total = count * workload.postgreSQLRounds
        for key in ["cellar", "floor", "naive", "optimistic"] {
            try expectExact(try store.restore(Counters.withoutHistory, key: key).get(), total, "the \(key) counter")
        }
        let beatsNaive = cellar.median < naive.median
        return BenchmarkResult(
            name: "PostgreSQL update, synchronous_commit=\(synchronousCommit)", unit: .nanosecondsPerOperation,
            measured: cellar, floor: pipelined,
            floorName: "C, libpq pipeline: BEGIN, SELECT … FOR UPDATE and SELECT in one round trip, UPDATE and COMMIT in a second",
            peer: nil, target: .ratio(1.15),
            extraCheck: (beatsNaive, String(
                format: "the naive four round trips (BEGIN, SELECT … FOR UPDATE, UPDATE, COMMIT) take %.0f ns; Cellar takes %.2fx of that (below 1 to pass); "
                    + "the optimistic design in C (SELECT, then UPDATE … WHERE the value is unchanged, two autocommit round trips) takes %.0f ns, %.2fx the floor",
                naive.median, cellar.median / naive.median, optimistic.median, optimistic.ratio(to: pipelined))))
    }

    /// `get()` outside a transaction against a C `SELECT` of the value.
    func reads() throws -> BenchmarkResult {
        let count = workload.postgreSQLReads
        let (url, schema) = try newCounters("get", keys: ["cellar"])
        let store = try Store(url: url)
        let counter = try store.restore(Counters.withoutHistory, key: "cellar")
        try counter.set(3)
        let floor = try connectFloor(url: url, schema: schema, synchronousCommit: "off")
        defer { pgfloor_close(floor) }
        let row = try cellRow(floor, key: "cellar")
        var cellar = Samples(), c = Samples()
        for round in 0..<workload.postgreSQLRounds {
            try runRotated([
                {
                    var sum = 0
                    try cellar.append(nanoseconds: try elapsedNanoseconds { for _ in 0..<count { sum += try counter.get() } }, operations: count)
                    try expectExact(sum, 3 * count, "Cellar's sum")
                },
                {
                    var sum: Int64 = 0
                    try c.append(nanoseconds: pgfloor_reads(floor, row.id, BenchCell.name, Int64(count), &sum), operations: count)
                    try expectExact(sum, Int64(3 * count), "the floor's sum")
                },
            ], round: round)
        }
        return BenchmarkResult(
            name: "PostgreSQL get", unit: .nanosecondsPerOperation, measured: cellar, floor: c,
            floorName: "C, an autocommit SELECT of the value", peer: nil, target: .ratio(1.15))
    }

    /// `restore` of an existing key against C making a restore's lookups.
    /// A restore reads the cells' values too (it returns them ready); C
    /// reads the value as its second lookup.
    func restores() throws -> BenchmarkResult {
        let count = workload.postgreSQLReads / 4
        let (url, schema) = try newCounters("restore", keys: ["cellar"])
        let store = try Store(url: url)
        try store.restore(Counters.withoutHistory, key: "cellar").set(2)
        let floor = try connectFloor(url: url, schema: schema, synchronousCommit: "off")
        defer { pgfloor_close(floor) }
        var cellar = Samples(), c = Samples()
        for round in 0..<workload.postgreSQLRounds {
            try runRotated([
                {
                    var restored: PersistentCell<Int>?
                    try cellar.append(nanoseconds: try elapsedNanoseconds {
                        for _ in 0..<count { restored = try store.restore(Counters.withoutHistory, key: "cellar") }
                    }, operations: count)
                    try expectExact(try restored?.get(), 2, "the restored counter")
                },
                {
                    var sum: Int64 = 0
                    try c.append(nanoseconds: pgfloor_restore_lookups(floor, "counter", "cellar", BenchCell.name, Int64(count), &sum),
                                 operations: count)
                    try expectExact(sum, Int64(2 * count), "the floor's sum")
                },
            ], round: round)
        }
        return BenchmarkResult(
            name: "PostgreSQL restore of an existing key", unit: .nanosecondsPerOperation, measured: cellar, floor: c,
            floorName: "C, two autocommit SELECTs: the instance by key, its cell's value", peer: nil, target: .ratio(1.2))
    }

    /// Processes each making `update`s: on one shared counter (every
    /// increment must count), or each on its own, against as many C clients
    /// (threads with a connection each) on as many counters.
    func processes(distinctKeys: Bool) throws -> BenchmarkResult {
        let processes = workload.postgreSQLProcesses, each = workload.postgreSQLUpdatesPerProcess
        let cellarKeys = distinctKeys ? (0..<processes).map { "cellar\($0)" } : ["cellar"]
        let floorKeys = (0..<processes).map { "floor\(distinctKeys ? $0 : 0)" }
        let (url, schema) = try newCounters(distinctKeys ? "distinct" : "shared", keys: cellarKeys + Array(Set(floorKeys)))
        let store = try Store(url: url)
        let rows = try cellRows(url: url, schema: schema, keys: floorKeys)
        var cellar = Samples(), c = Samples()
        for round in 0..<workload.postgreSQLRounds {
            try runRotated([
                {
                    let startAt = monotonicNanoseconds() + 300_000_000 + Int64(processes) * 50_000_000
                    let children = try (0..<processes).map { index in
                        try ChildProcess.start([
                            "child", "postgresql-updates", "--url", url, "--key", cellarKeys[distinctKeys ? index : 0],
                            "--count", String(each), "--start-at", String(startAt),
                        ])
                    }
                    let spans = try children.map { child in
                        let fields = try child.waitForOutput().split(separator: " ").compactMap { Int64($0) }
                        guard fields.count == 2 else { throw BenchmarkFailure("a child said nothing useful") }
                        return (fields[0], fields[1])
                    }
                    let span = (spans.map(\.1).max() ?? 0) - (spans.map(\.0).min() ?? 0)
                    try cellar.append(nanoseconds: span, operations: processes * each)
                },
                { try c.append(nanoseconds: floorClients(url: url, schema: schema, rows: rows, each: each), operations: processes * each) },
            ], round: round)
        }
        let rounds = workload.postgreSQLRounds
        let cellarTotal = try cellarKeys.reduce(0) { $0 + (try store.restore(Counters.withoutHistory, key: $1).get()) }
        try expectExact(cellarTotal, processes * each * rounds, "Cellar's counters after \(processes) processes")
        let floorTotal = try Set(floorKeys).reduce(0) { $0 + (try store.restore(Counters.withoutHistory, key: $1).get()) }
        try expectExact(floorTotal, processes * each * rounds, "the floor's counters after \(processes) clients")
        return BenchmarkResult(
            name: "PostgreSQL \(processes) processes × \(each) updates, \(distinctKeys ? "distinct keys" : "one counter")",
            unit: .nanosecondsPerOperation, measured: cellar, floor: c,
            floorName: "\(processes) C clients (threads, a connection each) making the floor's update on \(distinctKeys ? "their own counters" : "one counter"), synchronous_commit=off",
            peer: nil, target: distinctKeys ? .ratio(1 / 0.8) : .none,
            extraCheck: distinctKeys ? nil : (true, "every increment of every process counted (checked exactly)"))
    }

    /// Tasks of one process, each making `await update`s of its own counter
    /// through one `Store` (which opens a connection for each task that
    /// finds the others busy), on the default executor and on the store's,
    /// against as many C clients (threads with a connection each) sending
    /// Cellar's statements for the same change (the floor issue 13 names:
    /// "libpq, 8 connections, same statements"), and, for comparison only,
    /// against the floor's shortest update.
    func tasks() throws -> [BenchmarkResult] {
        let tasks = workload.postgreSQLProcesses, each = workload.postgreSQLUpdatesPerProcess
        let cellarKeys = (0..<tasks).map { "task\($0)" }, floorKeys = (0..<tasks).map { "floor\($0)" }
        let shortestKeys = (0..<tasks).map { "shortest\($0)" }
        let (url, schema) = try newCounters("tasks", keys: cellarKeys + floorKeys + shortestKeys)
        let store = try Store(url: url, options: .init(maximumConnections: tasks))
        let counters = try cellarKeys.map { try store.restore(Counters.withoutHistory, key: $0) }
        let rows = try cellRows(url: url, schema: schema, keys: floorKeys)
        let shortestRows = try cellRows(url: url, schema: schema, keys: shortestKeys)
        var cellar = Samples(), onStoreExecutor = Samples(), sameStatements = Samples(), shortest = Samples()
        /// Runs `each` awaited updates in each of the tasks, which prefer `executor` when given.
        func timeTasks(on executor: (any TaskExecutor)?) throws -> Int64 {
            try AsyncBenchmarks.waitFor(on: executor) {
                let start = monotonicNanoseconds()
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for counter in counters {
                        group.addTask(executorPreference: executor) { for _ in 0..<each { try await counter.update { $0 += 1 } } }
                    }
                    try await group.waitForAll()
                }
                return monotonicNanoseconds() - start
            }
        }
        for round in 0..<workload.postgreSQLRounds {
            try runRotated([
                { try cellar.append(nanoseconds: try timeTasks(on: nil), operations: tasks * each) },
                { try onStoreExecutor.append(nanoseconds: try timeTasks(on: store.executor), operations: tasks * each) },
                {
                    try sameStatements.append(
                        nanoseconds: floorClients(url: url, schema: schema, rows: rows, channel: Self.changeChannel(schema: schema), each: each),
                        operations: tasks * each)
                },
                {
                    try shortest.append(nanoseconds: floorClients(url: url, schema: schema, rows: shortestRows, each: each),
                                        operations: tasks * each)
                },
            ], round: round)
        }
        let rounds = workload.postgreSQLRounds
        for key in cellarKeys {
            try expectExact(try store.restore(Counters.withoutHistory, key: key).get(), 2 * each * rounds, "counter \(key)")
        }
        for key in floorKeys + shortestKeys {
            try expectExact(try store.restore(Counters.withoutHistory, key: key).get(), each * rounds, "counter \(key)")
        }
        let sameStatementsName = "\(tasks) C clients (threads, a connection each) sending Cellar's own statements for the update "
            + "(BEGIN, the change lock, the instance lock, the last sequence, the newest version; the UPDATE, pg_notify, COMMIT) "
            + "in the same two round trips, on their own counters, synchronous_commit=off"
        return [
            BenchmarkResult(
                name: "PostgreSQL, \(tasks) tasks, distinct keys", unit: .nanosecondsPerOperation, measured: cellar, floor: sameStatements,
                floorName: sameStatementsName, peer: nil, target: .ratio(1 / 0.8)),
            BenchmarkResult(
                name: "PostgreSQL, \(tasks) tasks on the store's executor, distinct keys", unit: .nanosecondsPerOperation,
                measured: onStoreExecutor, floor: sameStatements, floorName: sameStatementsName, peer: nil, target: .ratio(1 / 0.8)),
            BenchmarkResult(
                name: "PostgreSQL, \(tasks) tasks, distinct keys, against the shortest update", unit: .nanosecondsPerOperation,
                measured: cellar, floor: shortest,
                floorName: "\(tasks) C clients making the floor's shortest update (BEGIN, SELECT … FOR UPDATE, SELECT; UPDATE, COMMIT) "
                    + "on their own counters, synchronous_commit=off",
                peer: nil, target: .none),
        ]
    }

    /// The channel Cellar's writers notify for a store in `schema`: FNV-1a
    /// of the schema's name, as the PostgreSQL backend names it.
    private static func changeChannel(schema: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in schema.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        return "cellar_changes_" + String(hash, radix: 16)
    }

    /// The floor of the concurrent cases: a C client per row (a thread
    /// with a connection of its own), each making `each` of the floor's
    /// updates on its row, synchronous_commit=off; the elapsed nanoseconds.
    private func floorClients(url: String, schema: String, rows: [(id: Int64, seq: Int64)], channel: String? = nil, each: Int) -> Int64 {
        libpqURL(url, schema: schema).withCString { url in
            schema.withCString { schema in
                guard let channel else {
                    return pgfloor_clients(url, schema, "off", Int32(rows.count), rows.map(\.id), rows.map(\.seq), BenchCell.name, nil, Int64(each))
                }
                return channel.withCString { channel in
                    pgfloor_clients(url, schema, "off", Int32(rows.count), rows.map(\.id), rows.map(\.seq), BenchCell.name, channel, Int64(each))
                }
            }
        }
    }

    /// The child's side: `count` updates of counter `key`, starting at
    /// `startAt`; prints "START END" in monotonic nanoseconds.
    static func childUpdates(url: String, key: String, count: Int, startAt: Int64) throws -> String {
        let store = try Store(url: url, options: .init(access: .existingOnly))
        let counter = try store.restore(Counters.withoutHistory, key: key)
        while monotonicNanoseconds() < startAt { usleep(100) }
        let start = monotonicNanoseconds()
        for _ in 0..<count { try counter.update { $0 += 1 } }
        return "\(start) \(monotonicNanoseconds())"
    }

    // MARK: Setting up

    /// A new schema on the server with counters `keys`, each at 0 (no
    /// history, as the floor updates one row in place).
    private func newCounters(_ label: String, keys: [String]) throws -> (url: String, schema: String) {
        let schema = "bench_\(label)_\(UInt32.random(in: 0...UInt32.max))"
        let url = server + (server.contains("?") ? "&" : "?") + "schema=" + schema
        let store = try Store(url: url)
        for key in keys {
            try expectExact(try store.restore(Counters.withoutHistory, key: key).get(), 0, "a new counter")
        }
        return (url, schema)
    }

    /// `url` without Cellar's own `schema` parameter, which libpq does not know.
    private func libpqURL(_ url: String, schema: String) -> String {
        url.replacingOccurrences(of: "?schema=\(schema)", with: "").replacingOccurrences(of: "&schema=\(schema)", with: "")
    }

    private func connectFloor(url: String, schema: String, synchronousCommit: String) throws -> OpaquePointer {
        guard let floor = pgfloor_connect(libpqURL(url, schema: schema), schema, synchronousCommit) else {
            throw BenchmarkFailure("the PostgreSQL floor cannot connect")
        }
        return floor
    }

    /// The row ids and `seq`s of counters `keys`' cells.
    private func cellRows(url: String, schema: String, keys: [String]) throws -> [(id: Int64, seq: Int64)] {
        let floor = try connectFloor(url: url, schema: schema, synchronousCommit: "off")
        defer { pgfloor_close(floor) }
        return try keys.map { try cellRow(floor, key: $0) }
    }

    /// The row id and `seq` of counter `key`'s cell.
    private func cellRow(_ floor: OpaquePointer, key: String) throws -> (id: Int64, seq: Int64) {
        var id: Int64 = 0, seq: Int64 = 0
        guard pgfloor_cell_row(floor, "counter", key, BenchCell.name, &id, &seq) == 0 else {
            throw BenchmarkFailure("the floor found no counter '\(key)'")
        }
        return (id, seq)
    }
}
