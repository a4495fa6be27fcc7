import Cellar
import Foundation
import Testing

/// Counts how often a migration step ran, across the threads tests use.
final class RunCount: @unchecked Sendable {
    // Sound: `value` is only touched while holding `lock`.
    private let lock = NSLock()
    private var value = 0
    func increment() { lock.withLock { value += 1 } }
    var count: Int { lock.withLock { value } }
}

@Suite struct StateMigrationTests {
    /// Version 0 of an account: a floating-point balance in a cell named "bal".
    let version0 = Factory("account") { cells in cells.cell("bal", default: 0.0) }

    /// Version 2: "bal" renamed to "balance" (1), then turned into cents with
    /// a new "currency" cell (2).
    func version2(runs: RunCount = RunCount()) -> Factory<(PersistentCell<Int>, PersistentCell<String>)> {
        Factory("account", stateVersion: 2, migrations: [
            StateMigration(to: 1) { state in try state.rename("bal", to: "balance") },
            StateMigration(to: 2) { state in
                runs.increment()
                try state.transform("balance", from: Double.self) { Int(($0 * 100).rounded()) }
                try state.set("currency", to: "EUR")
            },
        ]) { cells in (cells.cell("balance", default: 0), cells.cell("currency", default: "USD")) }
    }

    @Test(arguments: Backend.all) func olderStateIsUpgradedOnRestoreExactlyOnce(backend: Backend) throws {
        guard let location = try backend.newLocation() else { return }
        try location.open().restore(version0, key: "main").set(12.34)

        let runs = RunCount()
        let (balance, currency) = try location.open().restore(version2(runs: runs), key: "main")
        #expect(try balance.get() == 1234)
        #expect(try currency.get() == "EUR", "the migration's value wins over the default")
        _ = try location.open().restore(version2(runs: runs), key: "main")
        #expect(runs.count == 1)

        let inspection = try #require(try location.open().inspect(InstanceID(factory: "account", key: "main")))
        #expect(inspection.stateVersion == 2)
        #expect(inspection.cells.map(\.name) == ["balance", "currency"])
        #expect(inspection[cell: "balance"]?.typeName == "Int")
    }

    @Test(arguments: Backend.all) func aNewInstanceStartsAtTheFactorysVersionWithoutMigrating(backend: Backend) throws {
        guard let location = try backend.newLocation() else { return }
        let store = try location.open()
        let runs = RunCount()
        let (balance, currency) = try store.restore(version2(runs: runs), key: "new")
        #expect(try balance.get() == 0)
        #expect(try currency.get() == "USD")
        #expect(runs.count == 0)
        #expect(try store.inspect(InstanceID(factory: "account", key: "new"))?.stateVersion == 2)
    }

    @Test(arguments: Backend.all) func aMigrationThatThrowsLeavesTheInstanceAsItWas(backend: Backend) throws {
        guard let location = try backend.newLocation() else { return }
        try location.open().restore(version0, key: "main").set(1.5)
        let before = try location.storedState()
        let broken = Factory("account", stateVersion: 1, migrations: [
            StateMigration(to: 1) { state in
                try state.rename("bal", to: "balance")
                try state.transform("balance", from: String.self) { $0 }  // wrong type: throws
            },
        ]) { cells in cells.cell("balance", default: 0.0) }
        #expect(throws: CellError.typeMismatch(instance: InstanceID(factory: "account", key: "main"), cell: "balance", storedType: "Double", requestedType: "String")) {
            try location.open().restore(broken, key: "main")
        }
        #expect(try location.storedState() == before)
        #expect(try location.open().inspect(InstanceID(factory: "account", key: "main"))?.stateVersion == 0)
    }

    @Test(arguments: Backend.all) func stateFromANewerFactoryIsRefused(backend: Backend) throws {
        guard let location = try backend.newLocation() else { return }
        _ = try location.open().restore(version2(), key: "main")
        let before = try location.storedState()
        #expect(throws: CellError.newerStateVersion(instance: InstanceID(factory: "account", key: "main"), storedVersion: 2, factoryVersion: 0)) {
            try location.open().restore(version0, key: "main")
        }
        #expect(try location.storedState() == before)
    }

    @Test(arguments: Backend.all) func theEditorRefusesToClobberOrInventCells(backend: Backend) throws {
        guard let location = try backend.newLocation() else { return }
        let store = try location.open()
        let two = Factory("pair") { cells in (cells.cell("a", default: 1), cells.cell("b", default: 2)) }
        _ = try store.restore(two, key: "k")
        let renameOnto = Factory("pair", stateVersion: 1, migrations: [
            StateMigration(to: 1) { state in try state.rename("a", to: "b") },
        ]) { cells in cells.cell("b", default: 0) }
        #expect(throws: CellError.cellExists(instance: InstanceID(factory: "pair", key: "k"), cell: "b")) { try store.restore(renameOnto, key: "k") }
        let removeMissing = Factory("pair", stateVersion: 1, migrations: [
            StateMigration(to: 1) { state in try state.remove("zzz") },
        ]) { cells in cells.cell("b", default: 0) }
        #expect(throws: CellError.noSuchCell(instance: InstanceID(factory: "pair", key: "k"), cell: "zzz")) { try store.restore(removeMissing, key: "k") }
        let removeOne = Factory("pair", stateVersion: 1, migrations: [
            StateMigration(to: 1) { state in
                #expect(try state.cellNames() == ["a", "b"])
                try state.remove("a")
            },
        ]) { cells in cells.cell("b", default: 0) }
        #expect(try store.restore(removeOne, key: "k").get() == 2)
        #expect(try store.inspect(InstanceID(factory: "pair", key: "k"))?.cells.map(\.name) == ["b"])
    }

    @Test(arguments: Backend.all) func liveCellsOfAMigratedInstanceSeeTheNewState(backend: Backend) throws {
        guard let location = try backend.newLocation() else { return }
        let store = try location.open()
        let old = Factory("n") { cells in cells.cell("v", default: 1) }
        let oldCell = try store.restore(old, key: "k")
        let doubled = Factory("n", stateVersion: 1, migrations: [
            StateMigration(to: 1) { state in try state.transform("v", from: Int.self) { $0 * 2 } },
        ]) { cells in cells.cell("v", default: 0) }
        let newCell = try store.restore(doubled, key: "k")
        #expect(try newCell.get() == 2)
        #expect(try oldCell.get() == 2)
    }
}
