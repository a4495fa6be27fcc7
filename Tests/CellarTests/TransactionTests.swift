import Cellar
import CellarExamples
import Foundation
import Synchronization
import Testing

struct Refused: Error, Equatable {}

@Suite struct TransactionTests {
    @Test(arguments: Backend.all) func aTransferAcrossClosuresCommitsAllOrNothing(backend: Backend) throws {
        guard let location = try backend.newLocation() else { return }
        let store = try location.open()
        let checking = try store.restore(bankAccountFactory(initialBalance: 100), key: "checking")
        let savings = try store.restore(bankAccountFactory(initialBalance: 0), key: "savings")

        let moved = try store.transaction { try checking.withdraw(30) && savings.deposit(30) }
        #expect(moved)
        #expect(try checking.balance() == 70)
        #expect(try savings.balance() == 30)

        let before = try location.storedState()
        #expect(throws: Refused()) {
            try store.transaction {
                guard try checking.withdraw(50), try savings.deposit(50) else { return }
                let balanceInside = try checking.balance()
                #expect(balanceInside == 20, "the transaction sees its own changes")
                throw Refused()
            }
        }
        // Every in-memory view and the file are as before.
        #expect(try checking.balance() == 70)
        #expect(try savings.balance() == 30)
        #expect(try location.storedState() == before)
        let other = try location.open()
        #expect(try other.restore(bankAccountFactory(initialBalance: 0), key: "checking").balance() == 70)
    }

    @Test(arguments: Backend.all) func anUpdateWhoseBodyThrowsChangesNothing(backend: Backend) throws {
        guard let location = try backend.newLocation() else { return }
        let store = try location.open()
        let cell = try store.restore(holder(10), key: "k")
        let before = try location.storedState()
        #expect(throws: Refused()) {
            try cell.update { value in
                value = 99
                throw Refused()
            }
        }
        #expect(try cell.get() == 10)
        #expect(try location.storedState() == before)
    }

    @Test(arguments: Backend.all) func severalCellsOfOneClosureCommitTogether(backend: Backend) throws {
        guard let location = try backend.newLocation() else { return }
        let store = try location.open()
        let pair = Factory("pair") { cells in (cells.cell("a", default: 0), cells.cell("b", default: 0)) }
        let (a, b) = try store.restore(pair, key: "k")
        #expect(throws: Refused()) {
            try store.transaction {
                try a.set(1)
                try b.update { $0 += 1 }
                throw Refused()
            }
        }
        #expect(try a.get() == 0)
        #expect(try b.get() == 0)
        try store.transaction {
            try a.set(1)
            try b.set(2)
        }
        #expect(try a.get() == 1)
        #expect(try b.get() == 2)
    }

    @Test(arguments: Backend.all) func nestedTransactionsRollBackOnlyTheirOwnChanges(backend: Backend) throws {
        guard let location = try backend.newLocation() else { return }
        let store = try location.open()
        let cell = try store.restore(holder(0), key: "k")
        var innerError: (any Error)?
        var valueAfterInner = -1
        try store.transaction {
            try cell.set(1)
            do {
                try store.transaction {
                    try cell.set(2)
                    throw Refused()
                }
            } catch {
                innerError = error
            }
            valueAfterInner = try cell.get()
            try store.transaction { try cell.update { $0 += 10 } }
        }
        #expect(innerError is Refused)
        #expect(valueAfterInner == 1, "the inner rollback undid only its own change")
        #expect(try cell.get() == 11)
    }

    @Test(arguments: Backend.all) func aRestoreThatFailsInsideATransactionLeavesNoInstance(backend: Backend) throws {
        guard let location = try backend.newLocation() else { return }
        let store = try location.open()
        #expect(throws: Refused()) {
            try store.transaction {
                _ = try store.restore(counterFactory, key: "temporary")()
                throw Refused()
            }
        }
        #expect(try store.contains(InstanceID(factory: "counter", key: "temporary")) == false)
    }

    @Test(arguments: Backend.all) func aChangeByAnotherConnectionIsSeenByTheNextRead(backend: Backend) throws {
        guard let location = try backend.newLocation() else { return }
        let first = try location.open().restore(holder(0), key: "k")
        let second = try location.open().restore(holder(0), key: "k")
        #expect(try first.get() == 0)
        try second.set(5)
        #expect(try first.get() == 5, "a cached value was served after another connection committed")
        try first.update { $0 += 1 }
        #expect(try second.get() == 6)
    }

    /// Processes moving money both ways between two accounts, each move one
    /// transaction: on PostgreSQL they would deadlock (each locks the
    /// account it withdraws from first); a transaction gives up a wait for
    /// its second lock and runs again. Every move commits, and the total is
    /// exact.
    @Test(arguments: Backend.all) func transfersBothWaysAllCommitThroughDeadlocks(backend: Backend) throws {
        guard let location = try backend.newLocation() else { return }
        let rollbacksBefore = try rollbacks(location)
        let processes = 3, transfers = 300
        let children = try (0..<processes).map { _ in try Child.start([location.value, "shuffle", "2", String(transfers)]) }
        for child in children {
            let result = child.finish()
            #expect(result.status == 0, "\(result.stderr)")
        }
        let store = try location.open()
        let balances = try (0..<2).map { try store.restore(bankAccountFactory(initialBalance: 1000), key: String($0)).balance() }
        #expect(balances.reduce(0, +) == 2000)
        if backend == .postgresql {
            #expect(try rollbacks(location) > rollbacksBefore, "no transaction ran again: the retry went untested")
        }
    }

    /// How many transactions the test database has rolled back (statistics
    /// PostgreSQL reports within a second).
    private func rollbacks(_ location: StoreLocationForTest) throws -> Int {
        guard location.backend == .postgresql else { return 0 }
        Thread.sleep(forTimeInterval: 1.1)
        return Int(try location.rows("SELECT xact_rollback FROM pg_stat_database WHERE datname = current_database()").first ?? "0") ?? 0
    }

    /// `update`'s body runs exactly once per update, however many
    /// connections write the same cell at once (on PostgreSQL the instance
    /// is locked before the value is read; see `update`'s documentation).
    @Test(arguments: Backend.all) func anUpdatesBodyRunsOnceUnderContention(backend: Backend) async throws {
        guard let location = try backend.newLocation() else { return }
        final class Runs: Sendable { let count = Mutex(0) }
        let runs = Runs()
        let (connections, updates) = (4, 100)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<connections {
                let store = try location.open()
                group.addTask {
                    let cell = try store.restore(holder(0), key: "shared")
                    for _ in 0..<updates {
                        try cell.update { value in
                            runs.count.withLock { $0 += 1 }
                            value += 1
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(runs.count.withLock { $0 } == connections * updates)
        #expect(try await location.open().restore(holder(0), key: "shared").get() == connections * updates)
    }
}
