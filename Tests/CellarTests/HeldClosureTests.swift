import Cellar
import CellarExamples
import Foundation
import Testing

/// Writes that do not go through a cell (a rewind, a snapshot's revert, an
/// import, a deletion, a state migration) change what cells hold. A closure
/// restored before, and held in memory, must see each of them from its next
/// call, never a value the store no longer has. The store's own commits do
/// not move SQLite's data version, so only the engine can tell the cells.
@Suite struct HeldClosureTests {
    private let account = InstanceID(factory: "bank_account", key: "main")

    /// A store file with account `main` at 10, then 25, and the held closure.
    private func heldAccount() throws -> (Store, BankAccount, TemporaryDirectory) {
        let directory = try TemporaryDirectory()
        let store = try Store(at: directory.path("store.sqlite"))
        let held = try store.restore(bankAccountFactory(initialBalance: 10), key: "main")
        #expect(try held.deposit(15))
        #expect(try held.balance() == 25)
        return (store, held, directory)
    }

    @Test(arguments: Backend.all) func aRewindIsSeenByAHeldClosure(backend: Backend) throws {
        let (store, held, _) = try heldAccount()
        try store.rewind(account, toSequence: 1)
        #expect(try held.balance() == 10)
    }

    @Test(arguments: Backend.all) func aSnapshotRevertIsSeenByAHeldClosure(backend: Backend) throws {
        let (store, held, _) = try heldAccount()
        try store.snapshot(named: "at 25")
        #expect(try held.deposit(5))
        try store.revert(toSnapshot: "at 25", only: .instance(account))
        #expect(try held.balance() == 25)
    }

    @Test(arguments: Backend.all) func anImportReplacingTheInstanceIsSeenByAHeldClosure(backend: Backend) throws {
        let (store, held, _) = try heldAccount()
        var export = try store.exportInstances()
        export.instances[0].cells[0].value = .integer(99)
        try store.importInstances(export, replacingExisting: true)
        // The import replaced the instance: the held closure's is gone.
        #expect(throws: CellError.instanceDeleted(instance: account)) { try held.balance() }
        #expect(try store.restore(bankAccountFactory(initialBalance: 0), key: "main").balance() == 99)
    }

    @Test(arguments: Backend.all) func aDeletionIsSeenByAHeldClosure(backend: Backend) throws {
        let (store, held, _) = try heldAccount()
        try store.delete(account)
        #expect(throws: CellError.instanceDeleted(instance: account)) { try held.balance() }
    }

    @Test(arguments: Backend.all) func aStateMigrationIsSeenByAHeldClosure(backend: Backend) throws {
        let (store, held, _) = try heldAccount()
        let inEuros = Factory("bank_account", stateVersion: 1, migrations: [
            StateMigration(to: 1) { state in try state.transform("balance", from: Int.self) { Double($0) / 100 } },
        ]) { cells in cells.cell("balance", default: 0.0) }
        #expect(try store.restore(inEuros, key: "main").get() == 0.25)
        // The held closure's cell is of the old shape: it says so, rather
        // than serve the 25 the store no longer holds.
        #expect(throws: CellError.typeMismatch(instance: account, cell: "balance", storedType: "Double", requestedType: "Int")) {
            try held.balance()
        }
    }

    @Test(arguments: Backend.all) func aCellRemovedByAMigrationIsSeenByAHeldClosure(backend: Backend) throws {
        let (store, held, _) = try heldAccount()
        let renamed = Factory("bank_account", stateVersion: 1, migrations: [
            StateMigration(to: 1) { state in try state.rename("balance", to: "funds") },
        ]) { cells in cells.cell("funds", default: 0) }
        #expect(try store.restore(renamed, key: "main").get() == 25)
        #expect(throws: CellError.noSuchCell(instance: account, cell: "balance")) { try held.balance() }
    }
}
