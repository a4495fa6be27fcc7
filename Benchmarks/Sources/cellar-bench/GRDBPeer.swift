import GRDB

/// GRDB.swift doing a case's work the way its documentation recommends: a
/// `DatabaseQueue` whose `write` and `read` run a cached statement.
struct GRDBPeer {
    let queue: DatabaseQueue

    init(path: String, synchronous: String) throws {
        var configuration = Configuration()
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = \(synchronous)") }
        queue = try DatabaseQueue(path: path, configuration: configuration)
    }

    /// `count` durable in-place increments of counter "bench", one `write` each.
    func updateInPlace(count: Int) throws -> Int64 {
        try elapsedNanoseconds {
            for _ in 0..<count {
                try queue.write { db in
                    try db.cachedStatement(sql: """
                        UPDATE cell_versions SET value = value + 1 WHERE instance_id = ? AND name = ? AND seq = ?
                        """).execute(arguments: [BenchCell.instanceID, BenchCell.name, BenchCell.sequence])
                }
            }
        }
    }

    /// `count` durable new versions of counter "bench", one `write` each.
    func appendVersions(count: Int) throws -> Int64 {
        try elapsedNanoseconds {
            for offset in 1...Int64(count) {
                try queue.write { db in
                    try db.cachedStatement(sql: """
                        INSERT INTO cell_versions (instance_id, name, seq, type, encoding, value)
                        VALUES (?, ?, ?, 'Int', 'native', ?)
                        """).execute(arguments: [BenchCell.instanceID, BenchCell.name, BenchCell.sequence + offset, offset])
                }
            }
        }
    }

    /// `count` reads of counter "bench"'s newest value, one `read` each; the
    /// sum of what was read goes to `sum`.
    func readNewest(count: Int, sum: inout Int) throws -> Int64 {
        var total = 0
        let elapsed = try elapsedNanoseconds {
            for _ in 0..<count {
                total += try queue.read { db in
                    try Int.fetchOne(db.cachedStatement(sql: """
                        SELECT value FROM cell_versions WHERE instance_id = ? AND name = ? ORDER BY seq DESC LIMIT 1
                        """), arguments: [BenchCell.instanceID, BenchCell.name]) ?? 0
                }
            }
        }
        sum = total
        return elapsed
    }
}
