import Cellar
import Foundation
import SQLiteFloor

// A quick harness (the full suite is its own issue): times `count` Cellar
// `update { $0 += 1 }` calls on one cell, WAL with .normal durability, and
// the C floor doing `UPDATE ... SET value = value + 1` in autocommit on the
// same schema and settings, alternately over several rounds, and prints the
// medians and their ratio.
//
//   swift run -c release cellar-bench [COUNT]

func nanoseconds(_ body: () throws -> Void) rethrows -> Int64 {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Int64(DispatchTime.now().uptimeNanoseconds - start)
}

func median(_ values: [Double]) -> Double {
    values.sorted()[values.count / 2]
}

let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cellar-bench-\(getpid())")
try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: directory) }

let count = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1])! : 20_000
let rounds = 7
var cellarTimes: [Double] = []
var floorTimes: [Double] = []
let counter = Factory("counter") { cells in cells.cell("count", default: 0) }

for round in 0..<rounds {
    let store = try Store(at: directory.appendingPathComponent("cellar-\(round).sqlite").path)
    let cell = try store.restore(counter, key: "bench")
    let cellarNs = try nanoseconds {
        for _ in 0..<count { try cell.update { $0 += 1 } }
    }
    let final = try cell.get()
    precondition(final == count, "Cellar counted \(final), not \(count)")
    cellarTimes.append(Double(cellarNs) / Double(count))

    let floorNs = floor_update_loop(directory.appendingPathComponent("floor-\(round).sqlite").path, "NORMAL", Int64(count))
    precondition(floorNs > 0, "the floor failed")
    floorTimes.append(Double(floorNs) / Double(count))
}

let cellar = median(cellarTimes), floor = median(floorTimes)
print(String(format: "update { $0 += 1 }, WAL normal, %d updates x %d rounds: Cellar %.0f ns/op, floor %.0f ns/op, ratio %.2f",
             count, rounds, cellar, floor, cellar / floor))
