import Cellar
import CellarExamples
import Foundation
import Testing

/// Real child processes: restarts, SIGKILL at random moments, and many
/// writers at once.
@Suite struct ProcessTests {
    @Test(arguments: Backend.all, ["normal", "full"])
    func aChangeThatReturnedSurvivesTheProcess(backend: Backend, durability: String) throws {
        guard let location = try backend.newLocation() else { return }
        let first = try Child.run([location.value, "counter", "visits", "5", durability])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.lines == ["1", "2", "3", "4", "5"])
        let second = try Child.run([location.value, "counter", "visits", "1", durability])
        #expect(second.lines == ["6"])
        #expect(try location.open().restore(counterFactory, key: "visits")() == 7)
    }

    @Test(arguments: Backend.all) func anAcknowledgedChangeSurvivesSIGKILL(backend: Backend) throws {
        guard let location = try backend.newLocation() else { return }
        // The child never exits by itself: it is killed after its output shows progress.
        let child = try Child.start([location.value, "transfers", "1000000"])
        // Kill it once it has made progress (or after 20 s, when the test fails).
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            Thread.sleep(forTimeInterval: 0.05)
            if let moved = try? location.open(.init(access: .existingOnly))
                .inspect(InstanceID(factory: "counter", key: "transfers"))?[cell: "count"]?.decode(as: Int.self), moved > 10 { break }
        }
        child.kill()
        let result = child.finish()
        #expect(result.status == 9, "the child was not killed by SIGKILL")
        let acknowledged = result.lines.compactMap { Int($0) }.last ?? 0
        #expect(acknowledged > 0, "the child made no progress: \(result.stderr)")
        let moved = try #require(try location.open().inspect(InstanceID(factory: "counter", key: "transfers"))?[cell: "count"]?.decode(as: Int.self))
        #expect(moved == acknowledged || moved == acknowledged + 1)
    }

    /// Kills a child that loops over acknowledged transfers at random moments,
    /// many times over, and checks after each kill that no acknowledged
    /// transfer is missing, none is half applied, the total is conserved, and
    /// the database finds the store intact.
    @Test(arguments: Backend.all, ["normal", "full"])
    func randomKillsLoseNothingAcknowledgedAndHalfApplyNothing(backend: Backend, durability: String) throws {
        guard let location = try backend.newLocation() else { return }
        let total = 1_000_000
        let kills = ProcessInfo.processInfo.environment["CELLAR_CRASH_KILLS"].flatMap(Int.init) ?? 15
        var generator = SystemRandomNumberGenerator()
        var previous = 0
        for round in 0..<kills {
            let child = try Child.start([location.value, "transfers", String(total), durability])
            Thread.sleep(forTimeInterval: Double.random(in: 0.02...0.25, using: &generator))
            child.kill()
            let result = child.finish()
            #expect(result.stderr.isEmpty, "round \(round): \(result.stderr)")
            let acknowledged = result.lines.compactMap { Int($0) }.last ?? previous

            let store = try location.open()
            let alice = try store.restore(bankAccountFactory(initialBalance: total), key: "alice")
            let bob = try store.restore(bankAccountFactory(initialBalance: 0), key: "bob")
            // Killed early, the child may not have created its counter yet.
            let inspected = try store.inspect(InstanceID(factory: "counter", key: "transfers"))?[cell: "count"]?.decode(as: Int.self) ?? 0
            #expect(inspected >= acknowledged && inspected <= acknowledged + 1,
                    "round \(round): \(acknowledged) acknowledged, \(inspected) stored")
            #expect(try alice.balance() + bob.balance() == total, "round \(round): the total is not conserved")
            #expect(try bob.balance() == inspected, "round \(round): a transfer was half applied")
            #expect(try store.checkIntegrity().isEmpty)
            previous = inspected
        }
        #expect(previous > 0)
    }

    @Test(arguments: Backend.all) func manyProcessesAndThreadsLoseNoIncrement(backend: Backend) throws {
        guard let location = try backend.newLocation() else { return }
        _ = try location.open()
        let processes = 4, perProcess = 250, threads = 4, perThread = 250

        let children = try (0..<processes).map { _ in
            try Child.start([location.value, "counter", "shared", String(perProcess)])
        }
        // Threads of this process: half share one Store, half open their own.
        let sharedStore = try location.open()
        let failures = Failures()
        DispatchQueue.concurrentPerform(iterations: threads) { index in
            do {
                let store = index.isMultiple(of: 2) ? sharedStore : try location.open()
                let next = try store.restore(counterFactory, key: "shared")
                for _ in 0..<perThread { _ = try next() }
            } catch {
                failures.append("\(error)")
            }
        }
        for child in children {
            let result = child.finish()
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.lines.count == perProcess)
            #expect(!result.stderr.contains("locked"))
        }
        #expect(failures.all.isEmpty)
        let final = try location.open().inspect(InstanceID(factory: "counter", key: "shared"))?[cell: "count"]?.decode(as: Int.self)
        #expect(final == processes * perProcess + threads * perThread)
    }

    @Test(arguments: Backend.all) func threadsSharingOneStoreAndOneCellLoseNoIncrement(backend: Backend) async throws {
        guard let location = try backend.newLocation() else { return }
        let store = try location.open()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    // Each task restores the key: the closures share one cell.
                    let next = try store.restore(counterFactory, key: "shared")
                    for _ in 0..<500 { _ = try next() }
                }
            }
            try await group.waitForAll()
        }
        #expect(try await store.restore(counterFactory, key: "shared")() == 8 * 500 + 1)
    }

    @Test(arguments: Backend.all) func aWriterHeldUpPastTheBusyTimeoutGetsABusyError(backend: Backend) throws {
        guard let location = try backend.newLocation() else { return }
        let holder = try location.open()
        let cell = try holder.restore(Factory("x") { cells in cells.cell("v", default: 0) }, key: "k")
        let impatient = try location.open(.init(busyTimeout: .milliseconds(100)))
        let other = try impatient.restore(Factory("x") { cells in cells.cell("v", default: 0) }, key: "k")
        let started = Date()
        try holder.transaction {
            try cell.set(1)
            #expect(throws: StoreError.busy(path: location.value, timeoutMilliseconds: 100)) { try other.update { $0 += 1 } }
        }
        #expect(Date().timeIntervalSince(started) >= 0.1)
        #expect(try other.get() == 1)
        try other.update { $0 += 1 }
        #expect(try cell.get() == 2)
    }

    /// Ten processes restore the same new key at the same moment: one
    /// instance, and every process counts on it.
    @Test(arguments: Backend.all)
    func processesCreatingOneKeyAtOnceMakeOneInstance(backend: Backend) throws {
        guard let location = try backend.newLocation() else { return }
        let children = try (0..<10).map { _ in try Child.start([location.value, "counter", "new", "1", "normal", "20000"]) }
        for child in children {
            let result = child.finish()
            #expect(result.status == 0, "\(result.stderr)")
        }
        let store = try location.open()
        #expect(try store.keys(of: "counter") == ["new"])
        #expect(try store.restore(counterFactory, key: "new")() == 11)
    }
}

/// Errors collected from several threads.
final class Failures: @unchecked Sendable {
    // Sound: `messages` is only touched while holding `lock`.
    private let lock = NSLock()
    private var messages: [String] = []

    func append(_ message: String) {
        lock.withLock { messages.append(message) }
    }

    var all: [String] {
        lock.withLock { messages }
    }
}
