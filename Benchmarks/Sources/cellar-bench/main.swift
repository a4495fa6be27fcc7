import Cellar
import Foundation
import SQLiteFloor

// A quick harness (the full suite is its own issue): times `count` Cellar
// `update { $0 += 1 }` calls on one cell, WAL with .normal durability, with
// history off and on, and the C floor doing `UPDATE ... SET value = value + 1`
// in autocommit on the same schema and settings, alternately over several
// rounds, and prints the medians and their ratios.
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
var historyTimes: [Double] = []
var floorTimes: [Double] = []
let counter = Factory("counter", recordsHistory: false) { cells in cells.cell("count", default: 0) }
let recordedCounter = Factory("recorded", recordsHistory: true) { cells in cells.cell("count", default: 0) }

/// Nanoseconds per `update { $0 += 1 }` of a fresh counter of `factory`.
func timeUpdates(_ factory: Factory<PersistentCell<Int>>, in file: String) throws -> Double {
    let store = try Store(at: directory.appendingPathComponent(file).path)
    let cell = try store.restore(factory, key: "bench")
    let elapsed = try nanoseconds {
        for _ in 0..<count { try cell.update { $0 += 1 } }
    }
    let final = try cell.get()
    precondition(final == count, "Cellar counted \(final), not \(count)")
    return Double(elapsed) / Double(count)
}

for round in 0..<rounds {
    cellarTimes.append(try timeUpdates(counter, in: "cellar-\(round).sqlite"))
    historyTimes.append(try timeUpdates(recordedCounter, in: "history-\(round).sqlite"))

    let floorNs = floor_update_loop(directory.appendingPathComponent("floor-\(round).sqlite").path, "NORMAL", Int64(count))
    precondition(floorNs > 0, "the floor failed")
    floorTimes.append(Double(floorNs) / Double(count))
}

let cellar = median(cellarTimes), history = median(historyTimes), floor = median(floorTimes)
print(String(format: "update { $0 += 1 }, WAL normal, %d updates x %d rounds (medians):", count, rounds))
print(String(format: "  Cellar, history off            %6.0f ns/op  %.2fx the floor", cellar, cellar / floor))
print(String(format: "  Cellar, history on             %6.0f ns/op  %.2fx the floor, %.2fx history off", history, history / floor, history / cellar))
print(String(format: "  floor (C, autocommit UPDATE)   %6.0f ns/op", floor))
