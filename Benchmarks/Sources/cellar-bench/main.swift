import Cellar
import Foundation
import SQLiteFloor

/// Times `count` Cellar `update { $0 += 1 }` calls and the C floor's
/// autocommit UPDATEs, alternately, and prints the median ratio.
func nanoseconds(_ body: () throws -> Void) rethrows -> Int64 {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Int64(DispatchTime.now().uptimeNanoseconds - start)
}

let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cellar-bench-\(getpid())")
try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: directory) }

let count = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1])! : 20_000
let only = CommandLine.arguments.count > 2 ? CommandLine.arguments[2] : "both"
let rounds = 7
var cellarTimes: [Double] = []
var floorTimes: [Double] = []
let counter = Factory("counter") { cells in cells.cell("count", default: 0) }
for round in 0..<rounds {
    if only != "floor" {
    let cellarPath = directory.appendingPathComponent("cellar-\(round).sqlite").path
    let store = try Store(at: cellarPath)
    let cell = try store.restore(counter, key: "bench")
    let cellarNs = try nanoseconds {
        for _ in 0..<count { try cell.update { $0 += 1 } }
    }
    let final = try cell.get()
    precondition(final == count)
    cellarTimes.append(Double(cellarNs) / Double(count))
    }
    if only == "cellar" { floorTimes.append(1); continue }

    let floorNs = floor_update_loop(directory.appendingPathComponent("floor-\(round).sqlite").path, "NORMAL", Int64(count))
    precondition(floorNs > 0)
    floorTimes.append(Double(floorNs) / Double(count))
}
let cellar = cellarTimes.sorted()[rounds / 2]
let floor = floorTimes.sorted()[rounds / 2]
print(String(format: "update { $0 += 1 }, WAL normal: cellar %.0f ns/op, floor %.0f ns/op, ratio %.2f", cellar, floor, cellar / floor))
