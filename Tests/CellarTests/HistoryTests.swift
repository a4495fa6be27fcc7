import Cellar
import CellarExamples
import Foundation
import Testing

/// The account of the acct tool, as a library user would write it, naming
/// its operations for the history.
let ledgerAccount = Factory("ledger") { cells in
    let balance = cells.cell("balance", default: 0)
    return (
        deposit: { (amount: Int) throws in try balance.update(operation: "deposit") { $0 += amount } },
        withdraw: { (amount: Int) throws in try balance.update(operation: "withdraw") { $0 -= amount } },
        balance: { try balance.get() })
}

@Suite struct HistoryTests {
    @Test(arguments: Backend.all) func everyCommittedChangeIsRecordedWithItsOperation(backend: Backend) throws {
        guard let location = try backend.newLocation() else { return }
        let store = try location.open()
        let account = try store.restore(ledgerAccount, key: "main")
        try account.deposit(50)
        try account.withdraw(20)
        try store.transaction(operation: "transfer") { try account.deposit(5) }
        #expect(throws: Refused()) {
            try store.transaction { try account.deposit(1000); throw Refused() }
        }
        let history = try store.history(of: InstanceID(factory: "ledger", key: "main"))
        #expect(history.map(\.sequence) == [1, 2, 3, 4])
        #expect(history.map(\.operation) == ["create", "deposit", "withdraw", "transfer"])
        #expect(try history.map { try $0.decode(as: Int.self) } == [0, 50, 30, 35])
        #expect(history.allSatisfy { $0.cell == "balance" && $0.typeName == "Int" })
        #expect(abs(history[3].time.timeIntervalSinceNow) < 60)
        #expect(try store.history(of: InstanceID(factory: "ledger", key: "main"), limit: 2).map(\.sequence) == [3, 4])
        #expect(try store.history(of: InstanceID(factory: "ledger", key: "main"), since: Date().addingTimeInterval(60)).isEmpty)
    }

    @Test(arguments: Backend.all) func aFactoryCanSwitchHistoryOff(backend: Backend) throws {
        guard let location = try backend.newLocation() else { return }
        let store = try location.open()
        let quiet = Factory("cache", recordsHistory: false) { cells in cells.cell("hits", default: 0) }
        let hits = try store.restore(quiet, key: "k")
        try hits.update { $0 += 1 }
        #expect(try store.history(of: InstanceID(factory: "cache", key: "k")).isEmpty)
        #expect(throws: HistoryError.historyOff(InstanceID(factory: "cache", key: "k"))) { try store.rewind(InstanceID(factory: "cache", key: "k"), toSequence: 1) }
    }

    @Test(arguments: Backend.all) func rewindingOneInstanceLeavesTheOthersAlone(backend: Backend) throws {
        guard let location = try backend.newLocation() else { return }
        let store = try location.open()
        let main = try store.restore(ledgerAccount, key: "main")
        let other = try store.restore(ledgerAccount, key: "other")
        try main.deposit(10)          // #2
        let middle = Date()
        Thread.sleep(forTimeInterval: 0.01)
        try main.deposit(5)           // #3
        try other.deposit(7)

        let rewind = try store.rewind(InstanceID(factory: "ledger", key: "main"), toSequence: 2)
        #expect(rewind.sequence == 2 && rewind.changedCells == 1)
        #expect(try main.balance() == 10)
        #expect(try other.balance() == 7)
        // The rewind is itself recorded, and can be undone by rewinding again.
        let last = try #require(try store.history(of: InstanceID(factory: "ledger", key: "main")).last)
        #expect(last.operation == "rewind to #2")
        try store.rewind(InstanceID(factory: "ledger", key: "main"), toSequence: 3)
        #expect(try main.balance() == 15)
        try store.rewind(InstanceID(factory: "ledger", key: "main"), to: middle)
        #expect(try main.balance() == 10)
    }

    @Test(arguments: Backend.all) func rewindBringsBackRemovedCellsAndRemovesNewOnes(backend: Backend) throws {
        guard let location = try backend.newLocation() else { return }
        let store = try location.open()
        let v0 = Factory("shape") { cells in cells.cell("a", default: 1) }
        _ = try store.restore(v0, key: "k")
        let v1 = Factory("shape", stateVersion: 1, migrations: [
            StateMigration(to: 1) { state in try state.rename("a", to: "b") },
        ]) { cells in cells.cell("b", default: 0) }
        _ = try store.restore(v1, key: "k")
        #expect(try store.inspect(InstanceID(factory: "shape", key: "k"))?.cells.map(\.name) == ["b"])
        try store.rewind(InstanceID(factory: "shape", key: "k"), toSequence: 1)
        #expect(try store.inspect(InstanceID(factory: "shape", key: "k"))?.cells.map(\.name) == ["a"])
        #expect(try store.inspect(InstanceID(factory: "shape", key: "k"))?[cell: "a"]?.decode(as: Int.self) == 1)
    }

    @Test(arguments: Backend.all) func rewindErrorsChangeNothing(backend: Backend) throws {
        guard let location = try backend.newLocation() else { return }
        let store = try location.open()
        let main = try store.restore(ledgerAccount, key: "main")
        try main.deposit(3)
        let before = try store.exportInstances()
        #expect(throws: HistoryError.unknownInstance(InstanceID(factory: "ledger", key: "nobody"))) {
            try store.rewind(InstanceID(factory: "ledger", key: "nobody"), toSequence: 1)
        }
        #expect(throws: HistoryError.unknownSequence(instance: InstanceID(factory: "ledger", key: "main"), sequence: 9, last: 2)) {
            try store.rewind(InstanceID(factory: "ledger", key: "main"), toSequence: 9)
        }
        #expect {
            try store.rewind(InstanceID(factory: "ledger", key: "main"), to: Date(timeIntervalSince1970: 0))
        } throws: { error in
            guard case HistoryError.beforeHistory(let instance, let earliest) = error else { return false }
            return instance == InstanceID(factory: "ledger", key: "main") && earliest != nil
        }
        #expect(try store.exportInstances() == before)
    }

    @Test(arguments: Backend.all) func pruningKeepsWhatRewindsAndSnapshotsNeed(backend: Backend) throws {
        guard let location = try backend.newLocation() else { return }
        let store = try location.open()
        let main = try store.restore(ledgerAccount, key: "main")
        for _ in 0..<10 { try main.deposit(1) }   // #2...#11
        try store.snapshot(named: "at ten")
        for _ in 0..<5 { try main.deposit(1) }    // #12...#16

        let removed = try store.pruneHistory(keepingLast: 3)
        #expect(removed == 12, "rows #1...#13 but the base row #13 for the only cell: 12 removed")
        #expect(try store.history(of: InstanceID(factory: "ledger", key: "main")).map(\.sequence) == [13, 14, 15, 16])
        // Exact from the cutoff on; refused before it.
        try store.rewind(InstanceID(factory: "ledger", key: "main"), toSequence: 13)
        #expect(try main.balance() == 12)
        #expect { try store.rewind(InstanceID(factory: "ledger", key: "main"), toSequence: 5) } throws: { error in
            if case HistoryError.beforeHistory = error { return true }
            return false
        }
        // A snapshot is a full copy: pruning everything leaves it whole.
        try store.pruneHistory(olderThan: Date().addingTimeInterval(60))
        try store.revert(toSnapshot: "at ten")
        #expect(try main.balance() == 10)
    }

    @Test(arguments: Backend.all) func historyIsWrittenInTheSameTransactionAsTheChange(backend: Backend) throws {
        guard let location = try backend.newLocation() else { return }
        let store = try location.open()
        let main = try store.restore(ledgerAccount, key: "main")
        try main.deposit(1)
        #expect(throws: Refused()) { try store.transaction { try main.deposit(5); throw Refused() } }
        #expect(try location.rows("SELECT count(*) FROM cell_versions") == ["2"])
        #expect(try location.rows("SELECT \(location.valueText) FROM cell_versions ORDER BY seq") == ["0", "1"])
    }
}
