@testable import Cellar
import CellarExamples
import Foundation
import Testing

@Suite struct StoreTests {
    @Test(arguments: Backend.all) func restoreCreatesAnInstanceOnFirstUseAndRestoresItAfterwards(backend: Backend) throws {
        guard let location = try backend.newLocation() else { return }
        let store = try location.open()
        #expect(try store.contains(InstanceID(factory: "counter", key: "a")) == false)
        let first = try store.restore(counterFactory, key: "a")
        #expect(try first() == 1)
        #expect(try store.contains(InstanceID(factory: "counter", key: "a")))
        let again = try store.restore(counterFactory, key: "a")
        #expect(try again() == 2)
        #expect(try first() == 3, "both restores share one cell")
    }

    @Test(arguments: Backend.all) func theSameKeyRestoredTwiceSharesTheSameCellObjects(backend: Backend) throws {
        guard let location = try backend.newLocation() else { return }
        let store = try location.open()
        let cellFactory = Factory("holder") { cells in cells.cell("value", default: 0) }
        let one = try store.restore(cellFactory, key: "k")
        let two = try store.restore(cellFactory, key: "k")
        let other = try store.restore(cellFactory, key: "other")
        #expect(one === two)
        #expect(one !== other)
        try one.set(5)
        #expect(try two.get() == 5)
        #expect(try other.get() == 0, "two keys never share a cell")
    }

    @Test(arguments: Backend.all) func restoreExistingNeverCreates(backend: Backend) throws {
        guard let location = try backend.newLocation() else { return }
        let store = try location.open()
        #expect(try store.restoreExisting(counterFactory, key: "missing") == nil)
        #expect(try store.contains(InstanceID(factory: "counter", key: "missing")) == false)
        _ = try store.restore(counterFactory, key: "present")
        let present = try #require(try store.restoreExisting(counterFactory, key: "present"))
        #expect(try present() == 1)
    }

    @Test(arguments: Backend.all) func deletingAnInstanceRemovesItsCells(backend: Backend) throws {
        guard let location = try backend.newLocation() else { return }
        let store = try location.open()
        let counter = try store.restore(counterFactory, key: "gone")
        #expect(try counter() == 1)
        #expect(try store.delete(InstanceID(factory: "counter", key: "gone")))
        #expect(try store.delete(InstanceID(factory: "counter", key: "gone")) == false)
        #expect(try location.rows("SELECT count(*) FROM cells") == ["0"])
        #expect(try location.rows("SELECT count(*) FROM instances") == ["0"])
        #expect(throws: CellError.instanceDeleted(instance: InstanceID(factory: "counter", key: "gone"))) { try counter() }
        // Restoring the key again starts afresh.
        #expect(try store.restore(counterFactory, key: "gone")() == 1)
    }

    @Test(arguments: Backend.all) func aDeletionByAnotherProcessReachesHeldClosures(backend: Backend) throws {
        guard let location = try backend.newLocation() else { return }
        let mine = try location.open()
        let counter = try mine.restore(counterFactory, key: "shared")
        #expect(try counter() == 1)
        #expect(try location.open().delete(InstanceID(factory: "counter", key: "shared")))
        #expect(throws: CellError.instanceDeleted(instance: InstanceID(factory: "counter", key: "shared"))) { try counter() }
    }

    @Test(arguments: [
        ("", "it is empty"),
        ("a/b", "it contains '/'"),
        ("a\\b", "it contains '\\'"),
        (" padded", "it starts or ends with white space"),
        ("trailing ", "it starts or ends with white space"),
        ("\u{00A0}non-breaking", "it starts or ends with white space"),
        ("delete\u{7F}", "it contains a control character"),
        ("tab\tinside", "it contains a control character"),
        ("new\nline", "it contains a control character"),
        (String(repeating: "x", count: 256), "it is longer than 255 bytes"),
        (String(repeating: "é", count: 128), "it is longer than 255 bytes"),
    ])
    func invalidKeysAreRefusedAndNothingIsStored(key: String, reason: String) throws {
        let store = try Store.inMemory()  // refused before the store is asked
        #expect(throws: CellError.invalidName(kind: "key", name: key, reason: reason)) {
            try store.restore(counterFactory, key: key)
        }
        #expect(try store.factoryNames() == [])
    }

    @Test(arguments: Backend.all, ["Robert'); DROP TABLE cells;--", "\"quoted\"", "名前", "with space", String(repeating: "x", count: 255)])
    func unusualButValidKeysAreStoredAsGiven(backend: Backend, key: String) throws {
        guard let location = try backend.newLocation() else { return }
        let store = try location.open()
        #expect(try store.restore(counterFactory, key: key)() == 1)
        #expect(try location.open().keys(of: "counter") == [key])
        #expect(try location.rows("SELECT count(*) FROM cells") == ["1"])
    }

    @Test(arguments: Backend.all) func anInvalidFactoryNameIsRefused(backend: Backend) throws {
        guard let location = try backend.newLocation() else { return }
        let store = try location.open()
        let bad = Factory("a/b") { cells in cells.cell("x", default: 0) }
        #expect(throws: CellError.invalidName(kind: "factory name", name: "a/b", reason: "it contains '/'")) {
            try store.restore(bad, key: "k")
        }
    }

    @Test(arguments: Backend.all) func anInvalidCellNameFailsTheRestoreAndStoresNothing(backend: Backend) throws {
        guard let location = try backend.newLocation() else { return }
        let store = try location.open()
        let bad = Factory("bad") { cells in (cells.cell("fine", default: 1), cells.cell("", default: 0)) }
        #expect(throws: CellError.invalidName(kind: "cell name", name: "", reason: "it is empty")) {
            try store.restore(bad, key: "k")
        }
        #expect(try store.contains(InstanceID(factory: "bad", key: "k")) == false)
    }

    @Test(arguments: Backend.all) func inspectionListsFactoriesKeysAndCellsReadOnly(backend: Backend) throws {
        guard let location = try backend.newLocation() else { return }
        let store = try location.open()
        _ = try store.restore(counterFactory, key: "b")()
        _ = try store.restore(counterFactory, key: "a")()
        let account = try store.restore(bankAccountFactory(initialBalance: 100), key: "main")
        _ = try account.deposit(50)
        _ = try store.restore(taskManagerFactory, key: "t").add(PlannedTask(name: "x", priority: 1))

        #expect(try store.factoryNames() == ["bank_account", "counter", "task_manager"])
        #expect(try store.keys(of: "counter") == ["a", "b"])
        #expect(try store.keys(of: "nothing") == [])
        #expect(try store.inspect(InstanceID(factory: "counter", key: "zzz")) == nil)

        let main = try #require(try store.inspect(InstanceID(factory: "bank_account", key: "main")))
        #expect(main.id == InstanceID(factory: "bank_account", key: "main"))
        #expect(main.stateVersion == 0)
        #expect(abs(main.createdAt.timeIntervalSinceNow) < 60)
        #expect(main.cells.map(\.name) == ["balance"])
        #expect(main.cells[0].typeName == "Int")
        #expect(main.cells[0].value == .integer(150))
        #expect(try main.cells[0].decode(as: Int.self) == 150)
        #expect(throws: CellError.self) { try main.cells[0].decode(as: String.self) }

        let tasks = try #require(try store.inspect(InstanceID(factory: "task_manager", key: "t"))?[cell: "tasks"])
        #expect(tasks.typeName == "Array<PlannedTask>")
        #expect(tasks.value == .json(#"[{"name":"x","priority":1}]"#))
        #expect(try tasks.decode(as: [PlannedTask].self) == [PlannedTask(name: "x", priority: 1)])
    }

    @Test(arguments: [(Durability.normal, "off"), (.full, "on")])
    func onPostgreSQLDurabilityIsSynchronousCommit(durability: Durability, synchronousCommit: String) throws {
        #if PostgreSQL
        guard let location = try Backend.postgresql.newLocation() else { return }
        let store = try location.open(.init(durability: durability))
        #expect(try store.restore(counterFactory, key: "k")() == 1)
        let connection = try #require(store.engines.primary.backend as? PostgreSQLBackend).connection
        #expect(try connection.query("SHOW synchronous_commit").text(0, 0) == synchronousCommit)
        #expect(try store.schemaVersion() == Backend.postgresql.latestSchemaVersion)
        #endif
    }

    @Test(arguments: [(Durability.normal, "1"), (.full, "2")])
    func aStoreIsWALWithTheChosenDurability(durability: Durability, synchronous: String) throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("store.sqlite")
        let store = try Store(at: path, options: .init(durability: durability))
        #expect(try store.restore(counterFactory, key: "k")() == 1)
        #expect(try sqliteRows(path, "PRAGMA journal_mode") == ["wal"])
        #expect(try (store.engines.primary.backend as? SQLiteBackend)?.pragma("synchronous") == synchronous)  // 1 = NORMAL, 2 = FULL
        #expect(try store.schemaVersion() == latestSchemaVersion)
    }

    @Test func theDefaultDurabilityIsNormal() {
        #expect(Store.Options().durability == .normal)
    }
}
