import Cellar
import CellarExamples
import Foundation
import Testing

/// Concurrent calls on one `Store`: on PostgreSQL they run on a pool of
/// connections, in parallel; on every backend each keeps its own outcome.
@Suite struct ConnectionPoolTests {
    /// Eight transactions on distinct accounts meet inside their bodies,
    /// each holding its instance's lock: they can only if they run on
    /// eight connections at once. One connection would serve them in turn,
    /// and the first would wait at the meeting point until it timed out.
    @Test(arguments: [false, true]) func onPostgreSQLConcurrentTransactionsRunInParallel(fromTasks: Bool) async throws {
        guard let location = try Backend.postgresql.newLocation() else { return }
        let store = try location.open()
        let accounts = try (0..<8).map { try store.restore(bankAccountFactory(initialBalance: 0), key: "a\($0)") }
        let meeting = MeetingPoint(count: 8)
        let transfer: @Sendable (Int) throws -> Void = { index in
            try store.transaction {
                _ = try accounts[index].deposit(1)
                guard meeting.arriveAndWait(seconds: 20) else { throw NotAllMet() }
            }
        }
        if fromTasks {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<8 {
                    group.addTask { try await store.transaction { try transfer(index) } }
                }
                try await group.waitForAll()
            }
        } else {
            try await onThreadsOfTheirOwn(8, transfer)
        }
        #expect(store.openConnections == 8)
        for account in accounts { #expect(try account.balance() == 1) }
    }

    /// No more connections than ``Store/Options/maximumConnections``, and
    /// the calls beyond them wait their turn and lose nothing.
    @Test(arguments: Backend.all) func callsBeyondTheLimitWaitTheirTurn(backend: Backend) throws {
        guard let location = try backend.newLocation() else { return }
        let store = try location.open(.init(maximumConnections: 3))
        let shared = try store.restore(counterFactory, key: "shared")
        let own = try (0..<12).map { try store.restore(counterFactory, key: "own-\($0)") }
        let failures = try onThreads(12) { index in
            for _ in 0..<40 {
                _ = try shared()
                _ = try own[index]()
            }
        }
        #expect(failures.isEmpty, "\(failures)")
        #expect(store.openConnections <= (backend == .postgresql ? 3 : 1))
        if backend == .postgresql { #expect(store.openConnections > 1, "twelve threads never found the connection busy") }
        #expect(try shared() == 12 * 40 + 1)
        for counter in own { #expect(try counter() == 41) }
    }

    /// Restoring one key on many threads at once, on whichever connection,
    /// gives closures that share the same cells.
    @Test(arguments: Backend.all) func oneKeyRestoredOnManyThreadsAtOnceSharesItsCells(backend: Backend) throws {
        guard let location = try backend.newLocation() else { return }
        let store = try location.open()
        let cells = CellsSeen()
        let failures = try onThreads(8) { _ in
            for round in 0..<10 {
                let factory = Factory("shared") { cells in cells.cell("value", default: 0) }
                cells.add(round, try store.restore(factory, key: "k\(round)"))
            }
        }
        #expect(failures.isEmpty, "\(failures)")
        for round in 0..<10 { #expect(cells.distinctObjects(round) == 1, "round \(round)") }
    }

    /// Transfers in both directions between four accounts, on eight threads
    /// at once: on PostgreSQL they lock instances in opposite orders on
    /// different connections, and the losers of each deadlock run again.
    /// Money is neither made nor lost, and no transfer fails.
    @Test(arguments: Backend.all) func transfersBothWaysOnManyConnectionsKeepTheTotal(backend: Backend) throws {
        guard let location = try backend.newLocation() else { return }
        let store = try location.open()
        let accounts = try (0..<4).map { try store.restore(bankAccountFactory(initialBalance: 1_000), key: "a\($0)") }
        let failures = try onThreads(8) { index in
            var generator = SystemRandomNumberGenerator()
            for _ in 0..<30 {
                let from = Int.random(in: 0..<4, using: &generator)
                let to = (from + Int.random(in: 1..<4, using: &generator)) % 4
                try store.transaction {
                    guard try accounts[from].withdraw(5) else { return }
                    _ = try accounts[to].deposit(5)
                }
            }
        }
        #expect(failures.isEmpty, "\(failures)")
        let total = try store.read { try accounts.reduce(0) { try $0 + $1.balance() } }
        #expect(total == 4_000)
    }
}

/// Where threads wait for each other: each arrives, then waits until all
/// have, or until it gives up.
private final class MeetingPoint: @unchecked Sendable {
    // `@unchecked Sendable`: `arrived` is touched only under `condition`.
    private let condition = NSCondition()
    private var arrived = 0
    private let count: Int

    init(count: Int) {
        self.count = count
    }

    /// False if not all arrived within `seconds`.
    func arriveAndWait(seconds: Double) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        arrived += 1
        condition.broadcast()
        let deadline = Date(timeIntervalSinceNow: seconds)
        while arrived < count {
            guard condition.wait(until: deadline) else { return false }
        }
        return true
    }
}

private struct NotAllMet: Error {}

/// The cell objects that restores handed out, by round.
private final class CellsSeen: @unchecked Sendable {
    // `@unchecked Sendable`: `objects` is touched only under `lock`.
    private let lock = NSLock()
    private var objects: [Int: [ObjectIdentifier]] = [:]
    /// Keeps the cells alive, so that an identity is never reused.
    private var kept: [AnyObject] = []

    func add(_ round: Int, _ cell: PersistentCell<Int>) {
        lock.withLock {
            objects[round, default: []].append(ObjectIdentifier(cell))
            kept.append(cell)
        }
    }

    func distinctObjects(_ round: Int) -> Int {
        lock.withLock { Set(objects[round] ?? []).count }
    }
}
