import Cellar
import CellarExamples
import Foundation
import Testing

/// Many writers of one process at once: on SQLite they share commits
/// (group commit); on every backend each gets exactly its own outcome.
@Suite struct GroupCommitTests {
    private static let balanceFactory = Factory("balance") { cells in cells.cell("value", default: 0) }
    private struct Refused: Error {}

    @Test(arguments: Backend.all, ["normal", "full"])
    func threadsUpdatingSharedAndDistinctCellsLoseNothing(backend: Backend, durability: String) throws {
        guard let location = try backend.newLocation() else { return }
        let store = try location.open(.init(durability: durability == "full" ? .full : .normal))
        let threads = 16, updates = 150
        let shared = try store.restore(counterFactory, key: "shared")
        let own = try (0..<threads).map { try store.restore(counterFactory, key: "own-\($0)") }
        let before = try store.committedTransactions()
        let failures = try onThreads(threads) { index in
            for _ in 0..<updates {
                _ = try shared()
                _ = try own[index]()
            }
        }
        #expect(failures.isEmpty, "\(failures)")
        let reopened = try location.open()
        #expect(try reopened.restore(counterFactory, key: "shared")() == threads * updates + 1)
        for index in 0..<threads {
            #expect(try reopened.restore(counterFactory, key: "own-\(index)")() == updates + 1)
        }
        let commits = try store.committedTransactions() - before
        let writes = threads * updates * 2
        if backend == .sqlite {
            // Writers that wait for each other share commits. At `.full`,
            // where the fsync makes them wait, 12 a commit were measured;
            // at `.normal` 1.7 (a commit is short, so fewer meet).
            #expect(commits * (durability == "full" ? 4 : 1) < writes, "\(commits) commits for \(writes) updates")
        } else {
            #expect(commits == writes)  // PostgreSQL groups commits in the server instead
        }
    }

    @Test(arguments: Backend.all) func noOverdraftWhenManyThreadsWithdrawAtOnce(backend: Backend) throws {
        guard let location = try backend.newLocation() else { return }
        let store = try location.open()
        let account = try store.restore(bankAccountFactory(initialBalance: 1_000), key: "shared")
        let granted = Counter()
        let failures = try onThreads(16) { _ in
            for _ in 0..<20 where try account.withdraw(7) { granted.add(1) }
        }
        #expect(failures.isEmpty, "\(failures)")
        // 1,000 / 7: exactly 142 withdrawals fit, whatever the interleaving.
        #expect(granted.value == 142)
        #expect(try location.open().restore(bankAccountFactory(initialBalance: 0), key: "shared").balance() == 1_000 - 142 * 7)
    }

    /// Every third update of each thread throws after changing its value:
    /// only that change is gone, the others of its group are stored.
    @Test(arguments: Backend.all) func aThrowingBodyInABusyGroupUndoesOnlyItsOwnChange(backend: Backend) throws {
        guard let location = try backend.newLocation() else { return }
        let store = try location.open()
        let cells = try (0..<8).map { try store.restore(Self.balanceFactory, key: "t\($0)") }
        let total = try store.restore(Self.balanceFactory, key: "total")
        let refusedCount = Counter()
        let failures = try onThreads(8) { index in
            for attempt in 1...90 {
                do {
                    try store.transaction {
                        try cells[index].update { $0 += 1 }
                        try total.update { $0 += 1 }
                        if attempt.isMultiple(of: 3) { throw Refused() }
                    }
                } catch is Refused {
                    refusedCount.add(1)
                }
            }
        }
        #expect(failures.isEmpty, "\(failures)")
        #expect(refusedCount.value == 8 * 30)
        let reopened = try location.open()
        for index in 0..<8 {
            #expect(try reopened.restore(Self.balanceFactory, key: "t\(index)").get() == 60)
        }
        #expect(try reopened.restore(Self.balanceFactory, key: "total").get() == 8 * 60)
        // The values in memory are the stored ones too.
        #expect(try total.get() == 8 * 60)
    }

    /// A writer returns only once its change is committed: another
    /// connection sees it at once.
    @Test(arguments: Backend.all) func aWriterReturnsOnlyOnceItsChangeIsCommitted(backend: Backend) throws {
        guard let location = try backend.newLocation() else { return }
        let store = try location.open()
        let observer = try location.open()
        let cells = try (0..<8).map { try store.restore(Self.balanceFactory, key: "t\($0)") }
        let seen = try (0..<8).map { try observer.restore(Self.balanceFactory, key: "t\($0)") }
        let stale = Counter()
        let failures = try onThreads(8) { index in
            for value in 1...100 {
                try cells[index].set(value)
                if try seen[index].get() != value { stale.add(1) }
            }
        }
        #expect(failures.isEmpty, "\(failures)")
        #expect(stale.value == 0, "a writer returned before its change was visible to another connection")
    }

    /// A transaction that stands alone never shares its commit, while
    /// writers around it do.
    @Test func aTransactionThatStandsAloneCommitsByItself() throws {
        guard let location = try Backend.sqlite.newLocation() else { return }
        let store = try location.open()
        let counters = try (0..<8).map { try store.restore(counterFactory, key: "c\($0)") }
        let before = try store.committedTransactions()
        let failures = try onThreads(8) { index in
            for _ in 0..<50 {
                try store.transaction(standsAlone: true) { _ = try counters[index]() }
            }
        }
        #expect(failures.isEmpty, "\(failures)")
        #expect(try store.committedTransactions() - before == 8 * 50)
    }

    /// A writer inside a transaction of another store never waits for a
    /// leader to run its change: the change may need the lock it holds.
    @Test(arguments: Backend.all) func aTransactionAcrossTwoStoresDoesNotDeadlockWithABusyGroup(backend: Backend) throws {
        guard let first = try backend.newLocation(), let second = try backend.newLocation() else { return }
        let storeA = try first.open(), storeB = try second.open()
        let a = try storeA.restore(Self.balanceFactory, key: "a")
        let b = try storeB.restore(Self.balanceFactory, key: "b")
        let busy = try (0..<6).map { try storeB.restore(counterFactory, key: "busy-\($0)") }
        let failures = try onThreads(7) { index in
            for _ in 0..<100 {
                if index == 6 {
                    try storeA.transaction {
                        try storeB.transaction {
                            try b.update { $0 += 1 }
                            try a.update { $0 += 1 }
                        }
                    }
                } else {
                    _ = try busy[index]()
                }
            }
        }
        #expect(failures.isEmpty, "\(failures)")
        #expect(try a.get() == 100 && b.get() == 100)
    }

    /// SIGKILL while groups commit, at `.full`, with threads or with tasks
    /// as writers: every change a writer was told is committed survives,
    /// none is half applied, and the file is intact.
    @Test(arguments: Backend.all, ["threads", "tasks"])
    func sigkillWhileGroupsCommitLosesNothingAcknowledged(backend: Backend, writers: String) throws {
        guard let location = try backend.newLocation() else { return }
        let threads = 8, total = 1_000_000
        for round in 0..<4 {
            let child = try Child.start([location.value, "group-transfers", String(total), String(threads), "full", writers])
            Thread.sleep(forTimeInterval: Double.random(in: 0.3...0.8))
            child.kill()
            let result = child.finish()
            #expect(result.status == 9, "round \(round): \(result.stderr)")
            var acknowledged = [Int](repeating: 0, count: threads)
            for line in result.lines {
                let fields = line.split(separator: " ").compactMap { Int($0) }
                if fields.count == 2 { acknowledged[fields[0]] = max(acknowledged[fields[0]], fields[1]) }
            }
            let store = try location.open()
            let alice = try store.restore(bankAccountFactory(initialBalance: total), key: "alice")
            let bob = try store.restore(bankAccountFactory(initialBalance: 0), key: "bob")
            // One committed state: on PostgreSQL the server may still be
            // committing what the killed child sent last.
            let (counts, aliceBalance, bobBalance) = try store.read {
                (try (0..<threads).map { index in
                    try store.inspect(InstanceID(factory: "counter", key: "t\(index)"))?[cell: "count"]?.decode(as: Int.self) ?? 0
                 }, try alice.balance(), try bob.balance())
            }
            for (index, stored) in counts.enumerated() {
                #expect(stored == acknowledged[index] || stored == acknowledged[index] + 1,
                        "round \(round), thread \(index): \(acknowledged[index]) acknowledged, \(stored) stored")
            }
            #expect(bobBalance == counts.reduce(0, +), "round \(round): a transfer was half applied")
            #expect(aliceBalance + bobBalance == total)
            #expect(try store.checkIntegrity().isEmpty)
            if round == 0 { #expect(acknowledged.reduce(0, +) > 0, "the child made no progress: \(result.stderr)") }
        }
    }
}

/// Runs `body` on `count` threads of their own at once (not a pool's,
/// which would run as many as there are cores); returns what they threw.
func onThreads(_ count: Int, _ body: @escaping @Sendable (Int) throws -> Void) throws -> [String] {
    let failures = Failures()
    let done = DispatchGroup()
    for index in 0..<count {
        done.enter()
        let thread = Thread {
            do { try body(index) } catch { failures.append("thread \(index): \(error)") }
            done.leave()
        }
        thread.start()
    }
    guard done.wait(timeout: .now() + 120) == .success else { throw TimedOut() }
    return failures.all
}

private struct TimedOut: Error {}

/// A count that threads add to.
final class Counter: @unchecked Sendable {
    // `@unchecked Sendable`: `count` is touched only under `lock`.
    private let lock = NSLock()
    private var count = 0

    func add(_ amount: Int) {
        lock.withLock { count += amount }
    }

    var value: Int {
        lock.withLock { count }
    }
}
