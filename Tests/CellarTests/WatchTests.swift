@testable import Cellar
import CellarExamples
import Foundation
import Testing

/// Watches: changes seen in order, from this process and others, from
/// every kind of write, resumed after a given change; and watches that end.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct WatchTests {
    /// The next `count` changes of `changes`, failing after `seconds`.
    static func collect(_ count: Int, of changes: Changes, seconds: Double = 30) async throws -> [Change] {
        try await withThrowingTaskGroup(of: [Change].self) { group in
            group.addTask {
                var seen: [Change] = []
                guard count > 0 else { return seen }
                for try await change in changes {
                    seen.append(change)
                    if seen.count == count { break }
                }
                return seen
            }
            group.addTask {
                try await Task.sleep(for: .seconds(seconds))
                return []
            }
            let first = try await group.next() ?? []
            group.cancelAll()
            return first
        }
    }

    /// Collects the next `count` changes of `changes` in a task of its own
    /// (at most `seconds`): the watch started when `changes` was made, so
    /// the caller can change the store meanwhile.
    static func watching(_ count: Int, of changes: Changes, seconds: Double = 30) -> Task<[Change], any Error> {
        Task { try await collect(count, of: changes, seconds: seconds) }
    }

    @Test(arguments: Backend.all)
    func seesChangesOfThisProcessInOrder(backend: Backend) async throws {
        guard let location = try backend.newLocation() else { return }
        let store = try location.open()
        let next = try await store.restore(counterFactory, key: "visits")
        let id = InstanceID(factory: "counter", key: "visits")
        let changes = store.changes(of: id)
        for _ in 0..<3 { _ = try next() }
        let seen = try await Self.collect(3, of: changes, seconds: 20)
        #expect(try seen.map { try $0.decode(as: Int.self) } == [1, 2, 3])
        #expect(seen.map(\.number) == seen.map(\.number).sorted())
        #expect(Set(seen.map(\.number)).count == 3)
        #expect(seen.allSatisfy { $0.kind == .set && $0.cell == "count" && $0.instance == id })
        #expect(seen.map(\.sequence) == [2, 3, 4])
    }

    @Test(arguments: Backend.all)
    func seesEveryChangeOfAnotherProcessWithHistory(backend: Backend) async throws {
        guard let location = try backend.newLocation() else { return }
        let store = try location.open()
        let task = Self.watching(501, of: store.changes(ofFactoryNamed: "counter"))
        let child = try Child.run([location.value, "counter", "fast", "500"])
        #expect(child.status == 0, "\(child.stderr)")
        let seen = try await task.value
        #expect(try seen.map { try $0.decode(as: Int.self) } == Array(0...500))
        #expect(seen.first?.operation == "create")
        #expect(zip(seen, seen.dropFirst()).allSatisfy { $0.number < $1.number })
    }

    @Test(arguments: Backend.all)
    func watcherInAnotherProcessSeesChangesOfThisOne(backend: Backend) async throws {
        guard let location = try backend.newLocation() else { return }
        let store = try location.open()
        let next = try await store.restore(counterFactory, key: "seen")
        let watcher = try Child.start([location.value, "watch", "cell:counter/seen/count", "4"])
        try waitUntil { (try? location.rows("SELECT 1")) != nil }
        try await Task.sleep(for: .seconds(1))  // the child's first look
        for _ in 0..<3 { _ = try next() }
        let result = watcher.finish()
        #expect(result.status == 0, "\(result.stderr)")
        // The current value first, then each change.
        #expect(result.lines.map { $0.split(separator: " ")[4] } == ["0", "1", "2", "3"])
    }

    @Test(arguments: Backend.all)
    func withoutHistoryNeverSeesAnOlderValueAndAlwaysTheLast(backend: Backend) async throws {
        guard let location = try backend.newLocation() else { return }
        let store = try location.open()
        let cache = Factory("cache", recordsHistory: false) { cells in
            let hits = cells.cell("hits", default: 0)
            return { @Sendable in try hits.update { $0 += 1 } }
        }
        let hit = try await store.restore(cache, key: "page")
        let changes = store.changes(ofFactoryNamed: "cache")
        let task = Task {
            try await withThrowingTaskGroup(of: [Int].self) { group in
                group.addTask {
                    var values: [Int] = []
                    for try await change in changes {
                        values.append(try change.decode(as: Int.self))
                        if values.last == 2_000 { break }
                    }
                    return values
                }
                group.addTask { try await Task.sleep(for: .seconds(30)); return [] }
                let first = try await group.next() ?? []
                group.cancelAll()
                return first
            }
        }
        for _ in 0..<2_000 { try hit() }
        let values = try await task.value
        #expect(values.last == 2_000)
        #expect(values == values.sorted())
        #expect(Set(values).count == values.count)
    }

    @Test(arguments: Backend.all)
    func resumesAfterAGivenChange(backend: Backend) async throws {
        guard let location = try backend.newLocation() else { return }
        let store = try location.open()
        let next = try await store.restore(counterFactory, key: "r")
        let task = Self.watching(10, of: store.changes())
        for _ in 0..<10 { _ = try next() }
        let seen = try await task.value
        #expect(seen.count == 10)
        let resumed = try await Self.collect(5, of: store.changes(after: seen[4].number))
        #expect(resumed == Array(seen[5...]))
        // From another process, with a new connection.
        let child = try Child.run([location.value, "watch", "instance:counter/r", "5", String(seen[4].number)])
        #expect(child.status == 0, "\(child.stderr)")
        #expect(child.lines.map { Int($0.split(separator: " ")[0])! } == seen[5...].map(\.number))
    }

    @Test(arguments: Backend.all)
    func aWatcherKilledAndRestartedAfterItsLastChangeMissesNothing(backend: Backend) async throws {
        guard let location = try backend.newLocation() else { return }
        let store = try location.open()
        let next = try await store.restore(counterFactory, key: "k")
        let first = try Child.start([location.value, "watch", "instance:counter/k", "1000", "0"])
        for _ in 0..<100 { _ = try next() }
        try await Task.sleep(for: .milliseconds(500))
        first.kill()
        let printed = first.finish().lines.map { $0.split(separator: " ") }
        // What it printed before it died: the first changes, in order.
        #expect(!printed.isEmpty)
        #expect(printed.map { Int($0[4])! } == Array(0..<printed.count))
        for _ in 0..<100 { _ = try next() }
        // Restarted after the last change it printed: the rest, in order, once each.
        let last = printed.last.map { String($0[0]) } ?? "0"
        let after = try Child.run([location.value, "watch", "instance:counter/k", String(201 - printed.count), last])
        #expect(after.status == 0, "\(after.stderr)")
        #expect(after.lines.map { Int($0.split(separator: " ")[4])! } == Array(printed.count...200))
    }

    @Test(arguments: Backend.all)
    func seesDeletionsRewindsSnapshotRevertsAndImports(backend: Backend) async throws {
        guard let location = try backend.newLocation() else { return }
        let store = try location.open()
        let factory = bankAccountFactory(initialBalance: 100)
        let account = try await store.restore(factory, key: "a")
        let id = InstanceID(factory: "bank_account", key: "a")
        _ = try await store.snapshot(named: "before")
        _ = try account.deposit(10)
        _ = try account.deposit(5)
        let task = Self.watching(2, of: store.changes(of: id))
        _ = try await store.rewind(id, toSequence: 2)            // balance 110
        _ = try await store.revert(toSnapshot: "before")         // balance 100
        let changed = try await task.value
        #expect(changed.map(\.kind) == [.set, .set])
        #expect(try changed.map { try $0.decode(as: Int.self) } == [110, 100])
        // A deletion takes the instance's history with it: a watch that
        // reads after it sees the deletion alone.
        let export = try await store.exportInstances()
        let deletion = Self.watching(1, of: store.changes(of: id))
        _ = try await store.delete(id)
        let seen = changed + (try await deletion.value)
        #expect(seen.count == 3)
        #expect(seen[2].kind == .instanceDeleted)
        #expect(seen[2].operation == "delete")
        #expect(seen[2].cell == nil)
        #expect(seen[1].number < seen[2].number)
        // An import is a change too.
        _ = try await store.importInstances(export)
        let imported = try await Self.collect(1, of: store.changes(of: id, after: seen[2].number))
        #expect(imported.first?.kind == .set)
    }

    @Test(arguments: Backend.all)
    func cancellingOrEndingWatchesLeavesNoThreadOrDescriptor(backend: Backend) async throws {
        guard let location = try backend.newLocation() else { return }
        let store = try location.open()
        _ = try await store.restore(counterFactory, key: "x")
        // One watch first, so that what the library maps once is there.
        _ = try await Self.collect(1, of: store.changes(of: InstanceID(factory: "counter", key: "x"), cell: "count"))
        try await Task.sleep(for: .milliseconds(300))
        let before = (openDescriptors(), threadCount())
        for round in 0..<1_000 {
            let task = Task {
                for try await _ in store.changes(of: InstanceID(factory: "counter", key: "x"), cell: "count") {
                    if round % 2 == 0 { break }  // ended by the loop; the others by cancellation
                }
            }
            if round % 2 == 1 {
                try await Task.sleep(for: .milliseconds(1))
                task.cancel()
            }
            try await task.value
        }
        try await Task.sleep(for: .milliseconds(1_500))
        let after = (openDescriptors(), threadCount())
        #expect(after.0 <= before.0)
        #expect(after.1 <= before.1 + 2)  // the cooperative pool may grow
    }

    private func openDescriptors() -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? 0
    }

    private func threadCount() -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task").count) ?? 0
    }

    /// A block of change numbers reserved inside a nested transaction that
    /// rolls back was never reserved: after a lost journal (a reboot),
    /// numbering must still start above every committed change.
    @Test func aReservationUndoneWithASavepointIsNotPublished() throws {
        guard let location = try Backend.sqlite.newLocation() else { return }
        let store = try location.open()
        let cell = try store.restore(Factory("n", recordsHistory: true) { cells in cells.cell("v", default: 0) }, key: "k")
        struct Undo: Error {}
        // Up to the last number of the first block (1,024)...
        try store.transaction {
            for _ in 0..<1_000 { try cell.update { $0 += 1 } }
        }
        while try Int(location.rows("SELECT max(change) FROM cell_versions").first ?? "0")! < 1_024 {
            try cell.update { $0 += 1 }
        }
        // ...then the next block is reserved inside a savepoint that rolls back.
        try store.transaction {
            _ = try? store.transaction {
                try cell.update { $0 += 1 }
                throw Undo()
            }
            try cell.update { $0 += 1 }
        }
        for _ in 0..<5 { try cell.update { $0 += 1 } }
        let before = try location.rows("SELECT change FROM cell_versions WHERE change IS NOT NULL")
        // The journal is lost, as in a reboot: numbering restarts above the reservation.
        let reopened = try location.open()
        try FileManager.default.removeItem(atPath: location.value + "-changes")
        let again = try reopened.restore(Factory("n", recordsHistory: true) { cells in cells.cell("v", default: 0) }, key: "k")
        for _ in 0..<5 { try again.update { $0 += 1 } }
        let numbers = try location.rows("SELECT change FROM cell_versions WHERE change IS NOT NULL").compactMap { Int($0) }
        #expect(numbers.count == before.count + 5)
        #expect(Set(numbers).count == numbers.count, "change numbers were handed out twice")
    }
}
