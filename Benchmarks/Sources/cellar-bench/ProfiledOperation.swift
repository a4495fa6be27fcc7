import ArgumentParser
import Cellar
import SQLiteFloor

/// The operations `cellar-bench child profile` repeats for a profiler.
enum ProfiledOperation: String, CaseIterable, ExpressibleByArgument {
    case updateWithoutHistory = "update-without-history"
    case updateWithHistory = "update-with-history"
    case updateInTransaction = "update-in-transaction"
    case getShared = "get-shared"
    case getOwned = "get-owned"
    case getInTransaction = "get-in-transaction"
    case restore
    case floorUpdate = "floor-update"
    case floorAppend = "floor-append"
    case floorUpdateInTransaction = "floor-update-in-transaction"

    func run(count: Int, in workspace: Workspace) throws {
        let recordsHistory = self == .updateWithHistory || self == .restore || self == .floorAppend
        let path = try workspace.newCounterStore("profile", recordsHistory: recordsHistory)
        if let floorNanoseconds = try runFloor(count: count, path: path) {
            guard floorNanoseconds >= 0 else { throw BenchmarkFailure("the floor failed") }
            return
        }
        let store = try Store(at: path, options: .init(sharing: self == .getOwned ? .exclusive : .shared))
        let counter = try store.restore(Counters.factory(recordsHistory: recordsHistory), key: "bench")
        var sum = 0
        switch self {
        case .updateWithoutHistory, .updateWithHistory:
            for _ in 0..<count { try counter.update { $0 += 1 } }
        case .updateInTransaction:
            try store.transaction { for _ in 0..<count { try counter.update { $0 += 1 } } }
        case .getShared, .getOwned:
            for _ in 0..<count { sum += try counter.get() }
        case .getInTransaction:
            try store.transaction { for _ in 0..<count { sum += try counter.get() } }
        case .restore:
            for _ in 0..<count { blackHole(try store.restore(Counters.withHistory, key: "bench")) }
        case .floorUpdate, .floorAppend, .floorUpdateInTransaction:
            preconditionFailure("the floor ran above")
        }
        blackHole(sum)
    }

    /// Runs the C floor's loop if this is one; nil if it is not.
    private func runFloor(count: Int, path: String) throws -> Int64? {
        let (instance, name, sequence) = (BenchCell.instanceID, BenchCell.name, BenchCell.sequence)
        let loop: ((OpaquePointer) -> Int64)? = switch self {
        case .floorUpdate: { floor_update_in_place($0, instance, name, sequence, Int64(count)) }
        case .floorAppend: { floor_append_versions($0, instance, name, sequence + 1, 1, Int64(count)) }
        case .floorUpdateInTransaction: { floor_updates_in_one_transaction($0, instance, name, sequence, Int64(count)) }
        default: nil
        }
        guard let loop else { return nil }
        guard let database = floor_open(path, "NORMAL") else { throw BenchmarkFailure("the floor cannot open \(path)") }
        defer { floor_close(database) }
        return loop(database)
    }
}
