import Cellar
import Foundation

/// The counters every case works on: one `Int` cell, "count", per instance.
enum Counters {
    static let withoutHistory = Factory("counter", recordsHistory: false) { cells in cells.cell("count", default: 0) }
    static let withHistory = Factory("recorded", recordsHistory: true) { cells in cells.cell("count", default: 0) }

    static func factory(recordsHistory: Bool) -> Factory<PersistentCell<Int>> {
        recordsHistory ? withHistory : withoutHistory
    }
}

/// A folder of fresh store files, removed when the run ends.
final class Workspace {
    let folder: URL
    private var fileNumber = 0

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("cellar-bench-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: folder)
    }

    /// A path no file has used yet.
    func newPath(_ label: String) -> String {
        fileNumber += 1
        return folder.appendingPathComponent("\(fileNumber)-\(label).sqlite").path
    }

    /// A new store file made by Cellar, holding one counter at 0, "bench":
    /// closure id 1, its cell's only row has seq 1. Every engine in a case
    /// gets a file made this way, so all work on Cellar's schema and settings.
    func newCounterStore(_ label: String, recordsHistory: Bool) throws -> String {
        let path = newPath(label)
        let store = try Store(at: path)
        let counter = try store.restore(Counters.factory(recordsHistory: recordsHistory), key: "bench")
        try expectExact(try counter.get(), 0, "a new counter")
        return path
    }

    /// The value of counter "bench" in the store at `path`, read by Cellar:
    /// how every case checks what any engine wrote.
    func counterValue(at path: String, recordsHistory: Bool) throws -> Int {
        let store = try Store(at: path, options: .init(access: .existingOnly))
        return try store.restore(Counters.factory(recordsHistory: recordsHistory), key: "bench").get()
    }
}

/// Where counter "bench" lives in a store `Workspace` made.
enum BenchCell {
    static let instanceID: Int64 = 1
    static let name = "count"
    static let sequence: Int64 = 1
}
