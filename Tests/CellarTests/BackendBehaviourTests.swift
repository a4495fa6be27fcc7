import Cellar
import CellarExamples
import Foundation
import Testing

/// Behaviour that holds on every backend: the same tests, run against each.
@Suite struct BackendBehaviourTests {
    @Test(arguments: Backend.all)
    func aCounterSurvivesReopeningAndKeysAreIndependent(backend: Backend) throws {
        guard let location = try backend.newLocation() else { return }
        do {
            let store = try location.open()
            let a = try store.restore(counterFactory, key: "a")
            #expect(try a() == 1)
            #expect(try a() == 2)
            #expect(try store.restore(counterFactory, key: "b")() == 1)
        }
        let reopened = try location.open()
        #expect(try reopened.restore(counterFactory, key: "a")() == 3)
        #expect(try reopened.keys(of: "counter") == ["a", "b"])
        #expect(try reopened.factoryNames() == ["counter"])
    }

    @Test(arguments: Backend.all)
    func aTransactionIsAllOrNothingOnDiskAndInMemory(backend: Backend) throws {
        guard let location = try backend.newLocation() else { return }
        let store = try location.open()
        let alice = try store.restore(bankAccountFactory(initialBalance: 100), key: "alice")
        let bob = try store.restore(bankAccountFactory(initialBalance: 0), key: "bob")
        struct Refused: Error {}
        #expect(throws: Refused.self) {
            try store.transaction {
                _ = try alice.withdraw(30)
                _ = try bob.deposit(30)
                throw Refused()
            }
        }
        #expect(try alice.balance() == 100 && bob.balance() == 0)
        try store.transaction {
            _ = try alice.withdraw(30)
            _ = try bob.deposit(30)
        }
        let other = try location.open()
        #expect(try other.read { (try alice.balance(), try bob.balance()) } == (70, 30))
        #expect(try other.restore(bankAccountFactory(initialBalance: 0), key: "bob").balance() == 30)
    }

    @Test(arguments: Backend.all)
    func threadsOnTwoConnectionsLoseNoUpdate(backend: Backend) async throws {
        guard let location = try backend.newLocation() else { return }
        let stores = try [location.open(), location.open()]
        try await withThrowingTaskGroup(of: Void.self) { group in
            for task in 0..<4 {
                let store = stores[task % 2]
                group.addTask {
                    let next = try store.restore(counterFactory, key: "shared")
                    for _ in 0..<100 { _ = try next() }
                }
            }
            try await group.waitForAll()
        }
        #expect(try location.open().restore(counterFactory, key: "shared")() == 401)
    }

    @Test(arguments: Backend.all)
    func valuesOfEveryKindComeBackAsStored(backend: Backend) throws {
        struct Event: Codable, Sendable, Equatable { var name: String; var at: Date; var tags: [String] }
        guard let location = try backend.newLocation() else { return }
        let event = Event(name: "launch", at: Date(timeIntervalSinceReferenceDate: 785_584_034.125), tags: ["a", "b"])
        let factory = Factory("values") { cells in
            (cells.cell("int", default: Int64.min), cells.cell("double", default: 0.1 + 0.2), cells.cell("text", default: "é'\"x"),
             cells.cell("data", default: Data([0, 255])), cells.cell("empty", default: Data()), cells.cell("missing", default: String?.none),
             cells.cell("bool", default: true), cells.cell("event", default: event), cells.cell("huge", default: UInt64.max))
        }
        _ = try location.open().restore(factory, key: "k")
        let values = try location.open().restore(factory, key: "k")
        #expect(try values.0.get() == .min)
        #expect(try values.1.get() == 0.1 + 0.2)
        #expect(try values.2.get() == "é'\"x")
        #expect(try values.3.get() == Data([0, 255]))
        #expect(try values.4.get() == Data())
        #expect(try values.5.get() == nil)
        #expect(try values.6.get() == true)
        #expect(try values.7.get() == event)
        #expect(try values.8.get() == .max)
        let inspection = try #require(try location.open().inspect(InstanceID(factory: "values", key: "k")))
        #expect(inspection[cell: "event"]?.typeName == "Event")
        #expect(throws: CellError.self) { try location.open().restore(Factory("values") { $0.cell("int", default: "text") }, key: "k") }

        // PostgreSQL's text holds no NUL character: refused, not cut short
        // (a documented difference).
        let withNUL = Factory("nul") { cells in cells.cell("text", default: "a\0b") }
        switch backend {
        case .sqlite: #expect(try location.open().restore(withNUL, key: "k").get() == "a\0b")
        case .postgresql: #expect(throws: StoreError.self) { try location.open().restore(withNUL, key: "k") }
        }
    }

    @Test(arguments: Backend.all)
    func historyRewindSnapshotsAndExportWork(backend: Backend) throws {
        guard let location = try backend.newLocation() else { return }
        let store = try location.open()
        let id = InstanceID(factory: "bank_account", key: "main")
        let account = try store.restore(bankAccountFactory(initialBalance: 10), key: "main")
        _ = try account.deposit(5)
        _ = try account.deposit(7)
        #expect(try store.history(of: id).map(\.sequence) == [1, 2, 3])
        #expect(try store.historyCount(of: id) == 3)
        try store.rewind(id, toSequence: 2)
        #expect(try account.balance() == 15)
        try store.snapshot(named: "fifteen")
        _ = try account.deposit(100)
        let revert = try store.revert(toSnapshot: "fifteen")
        #expect(try account.balance() == 15)
        #expect(try store.snapshots().map(\.name) == ["fifteen", revert.undoSnapshot])
        let export = try store.exportInstances()
        #expect(export.instances.map(\.id) == [id])
        guard let copy = try Backend.sqlite.newLocation() else { return }
        try copy.open().importInstances(export)
        #expect(try copy.open().exportInstances().instances.map(\.cells) == export.instances.map(\.cells))
        #expect(try store.checkIntegrity() == [])
        #expect(try store.pruneHistory(keepingLast: 1) > 0)
        #expect(try store.delete(id))
        #expect(throws: CellError.instanceDeleted(instance: id)) { try account.balance() }
    }
}

extension BackendBehaviourTests {
    /// A store with history (some of it pruned) and two snapshots.
    private func populated(_ location: StoreLocationForTest) throws -> Store {
        let store = try location.open()
        let main = try store.restore(bankAccountFactory(initialBalance: 10), key: "main")
        let next = try store.restore(counterFactory, key: "visits")
        for amount in 1...5 { _ = try main.deposit(amount) }
        try store.snapshot(named: "early")
        _ = try next()
        try store.pruneHistory(keepingLast: 3)
        _ = try main.withdraw(4)
        try store.revert(toSnapshot: "early", only: .instance(InstanceID(factory: "counter", key: "visits")))
        return store
    }

    @Test(arguments: Backend.all, Backend.all)
    func aStoreCopiesToAnyBackendWithItsHistoryAndSnapshots(from: Backend, to: Backend) throws {
        guard let source = try from.newLocation(), let target = try to.newLocation() else { return }
        let store = try populated(source)
        let copy = try target.open()
        try store.copy(to: copy)
        #expect(try copy.exportInstances().instances == store.exportInstances().instances)
        for id in try store.exportInstances().instances.map(\.id) {
            #expect(try copy.history(of: id, limit: .max) == store.history(of: id, limit: .max))
        }
        #expect(try copy.snapshots() == store.snapshots())
        // The copy works on its own: rewinds, reverts and counts on.
        try copy.rewind(InstanceID(factory: "bank_account", key: "main"), toSequence: 6)
        #expect(try copy.restore(bankAccountFactory(initialBalance: 0), key: "main").balance() == 25)
        #expect(try copy.restore(counterFactory, key: "visits")() == 1)
        #expect(throws: ImportError.self) { try store.copy(to: try target.open()) }
    }

    @Test(arguments: Backend.all)
    func aBackupIsAStandaloneSQLiteStore(backend: Backend) throws {
        guard let location = try backend.newLocation() else { return }
        let store = try populated(location)
        let path = location.directory.path("backup.sqlite")
        try store.backup(to: path)
        let backup = try Store(at: path)
        #expect(try backup.exportInstances().instances == store.exportInstances().instances)
        #expect(try backup.snapshots() == store.snapshots())
        #expect(try backup.checkIntegrity() == [])
        #expect(throws: SnapshotError.backupTargetExists(path: path)) { try store.backup(to: path) }
    }
}

/// Processes sharing a store, on every backend: real child processes.
@Suite struct BackendProcessTests {
    @Test(arguments: Backend.all)
    func processesIncrementingOneCounterLoseNothing(backend: Backend) throws {
        guard let location = try backend.newLocation() else { return }
        let processes = 4, increments = 200
        let children = try (0..<processes).map { _ in
            try Child.start([location.value, "counter", "shared", String(increments), "normal", "20000"])
        }
        for child in children {
            let result = child.finish()
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.lines.count == increments)
        }
        let final = try location.open().inspect(InstanceID(factory: "counter", key: "shared"))?[cell: "count"]?.decode(as: Int.self)
        #expect(final == processes * increments)
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

    /// The acceptance check of the PostgreSQL issue: `acct deposit` from two
    /// processes on the same account, through CELLAR_STORE.
    @Test(arguments: Backend.all)
    func acctDepositsFromTwoProcessesAddUp(backend: Backend) throws {
        guard let location = try backend.newLocation() else { return }
        let sandbox = try ToolSandbox()
        sandbox.useStore(location.value)
        let deposits = try (0..<2).map { _ in
            try RunningChild(executable: "/bin/sh", arguments: ["-c", "for i in $(seq 20); do \"$ACCT\" deposit main 1.25 >/dev/null || exit 1; done"],
                             environment: sandbox.environment.merging(["ACCT": builtExecutable("acct").path]) { $1 })
        }
        for deposit in deposits { #expect(deposit.finish().status == 0) }
        expectResult(try sandbox.run("acct", "balance", "main"), status: 0, stdout: "50.00\n")
        let list = try sandbox.run("cellar", "list", "--json")
        #expect(list.stdout == #"[{"factory":"account","key":"main"}]"# + "\n")
        #expect(try sandbox.run("cellar", "check").status == 0)
        let backup = location.directory.path("backup.sqlite")
        #expect(try sandbox.run("cellar", "backup", backup).status == 0)
        expectResult(try sandbox.run("acct", "balance", "main", "--store", backup), status: 0, stdout: "50.00\n")
    }
}
