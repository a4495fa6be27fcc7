import Cellar
import CellarExamples
import Foundation
import Testing

@Suite struct SnapshotTests {
    @Test(arguments: Backend.all) func aRestoredSnapshotBringsValuesBackExactlyForEveryConnection(backend: Backend) throws {
        guard let location = try backend.newLocation() else { return }
        let store = try location.open()
        let account = try store.restore(bankAccountFactory(initialBalance: 100), key: "main")
        let tasks = try store.restore(taskManagerFactory, key: "work")
        _ = try tasks.add(PlannedTask(name: "a", priority: 9))
        let taken = try store.snapshot(named: "before changes")
        #expect(taken.name == "before changes")
        #expect(taken.instanceCount == 2)
        #expect(!taken.isAutomatic)

        _ = try account.deposit(50)
        _ = try tasks.clear()
        _ = try store.restore(counterFactory, key: "new")()
        let otherConnection = try location.open()
        let heldElsewhere = try otherConnection.restore(bankAccountFactory(initialBalance: 0), key: "main")
        #expect(try heldElsewhere.balance() == 150)

        let result = try store.revert(toSnapshot: "before changes")
        #expect(result.changedInstances == 3)
        #expect(try account.balance() == 100)
        #expect(try tasks.sorted() == [PlannedTask(name: "a", priority: 9)])
        #expect(try store.contains(InstanceID(factory: "counter", key: "new")) == false)
        #expect(try heldElsewhere.balance() == 100, "another connection saw a stale balance")
        let child = try Child.run([location.value, "balance", "main"])
        #expect(child.lines == ["100"])
    }

    @Test(arguments: Backend.all) func aRestoreCanBeUndone(backend: Backend) throws {
        guard let location = try backend.newLocation() else { return }
        let store = try location.open()
        let account = try store.restore(bankAccountFactory(initialBalance: 10), key: "main")
        try store.snapshot(named: "ten")
        _ = try account.deposit(5)
        let restore = try store.revert(toSnapshot: "ten")
        #expect(try account.balance() == 10)
        let undo = try #require(try store.snapshots().first { $0.name == restore.undoSnapshot })
        #expect(undo.isAutomatic)
        #expect(restore.undoSnapshot.hasPrefix("undo-"))
        try store.revert(toSnapshot: restore.undoSnapshot)
        #expect(try account.balance() == 15)
        #expect(try store.snapshots().filter(\.isAutomatic).count == 2)
    }

    @Test(arguments: Backend.all) func aRestoreLimitedToAFactoryOrAKeyTouchesNothingElse(backend: Backend) throws {
        guard let location = try backend.newLocation() else { return }
        let store = try location.open()
        let main = try store.restore(bankAccountFactory(initialBalance: 10), key: "main")
        let savings = try store.restore(bankAccountFactory(initialBalance: 20), key: "savings")
        let counter = try store.restore(counterFactory, key: "visits")
        #expect(try counter() == 1)
        try store.snapshot(named: "s")
        _ = try main.deposit(1)
        _ = try savings.deposit(1)
        #expect(try counter() == 2)

        try store.revert(toSnapshot: "s", only: .instance(InstanceID(factory: "bank_account", key: "main")))
        #expect(try main.balance() == 10)
        #expect(try savings.balance() == 21)
        #expect(try counter() == 3)

        try store.revert(toSnapshot: "s", only: .factory("counter"))
        #expect(try counter() == 2)
        #expect(try savings.balance() == 21)
    }

    @Test(arguments: Backend.all) func snapshotsTakenWhileAnotherProcessWritesAreConsistent(backend: Backend) throws {
        guard let location = try backend.newLocation() else { return }
        let total = 1_000_000
        let child = try Child.start([location.value, "transfers", String(total)])
        defer { child.kill(); _ = child.finish() }
        let store = try location.open(.init(busyTimeout: .seconds(10)))
        // Wait for the child's accounts, then snapshot while it transfers.
        try waitUntil { try store.contains(InstanceID(factory: "counter", key: "transfers")) }
        for index in 0..<8 {
            try store.snapshot(named: "s\(index)")
            Thread.sleep(forTimeInterval: 0.02)
        }
        for index in 0..<8 {
            let cells = try location.rows("""
                SELECT key || '=' || \(location.valueText) FROM snapshot_cells WHERE snapshot = 's\(index)' ORDER BY key
                """)
            let values = Dictionary(uniqueKeysWithValues: cells.map { line -> (String, Int) in
                let parts = line.split(separator: "=")
                return (String(parts[0]), Int(parts[1])!)
            })
            #expect(values["alice"]! + values["bob"]! == total, "snapshot s\(index) is not of one moment")
            #expect(values["bob"] == values["transfers"], "snapshot s\(index) holds half a transfer")
        }
    }

    @Test(arguments: Backend.all) func namingAndUnknownSnapshotsAreRefusedAndChangeNothing(backend: Backend) throws {
        guard let location = try backend.newLocation() else { return }
        let store = try location.open()
        _ = try store.restore(counterFactory, key: "k")()
        try store.snapshot(named: "one")
        let before = try store.exportInstances()
        #expect(throws: SnapshotError.snapshotExists("one")) { try store.snapshot(named: "one") }
        #expect(throws: CellError.invalidName(kind: "snapshot name", name: "a/b", reason: "it contains '/'")) {
            try store.snapshot(named: "a/b")
        }
        #expect(throws: SnapshotError.unknownSnapshot("two")) { try store.revert(toSnapshot: "two") }
        #expect(throws: SnapshotError.unknownSnapshot("two")) { try store.deleteSnapshot(named: "two") }
        #expect(try store.exportInstances() == before)
        #expect(try store.snapshots().map(\.name) == ["one"])
        try store.deleteSnapshot(named: "one")
        #expect(try store.snapshots().isEmpty)
        #expect(try location.rows("SELECT count(*) FROM snapshot_cells") == ["0"])
    }

    @Test(arguments: Backend.all) func aBackupIsAStandaloneConsistentStore(backend: Backend) throws {
        guard let location = try backend.newLocation() else { return }
        let directory = location.directory
        let store = try location.open()
        _ = try store.restore(bankAccountFactory(initialBalance: 42), key: "main")
        _ = try store.restore(taskManagerFactory, key: "t").add(PlannedTask(name: "x", priority: 1))
        try store.snapshot(named: "kept")
        let backup = directory.path("backup.sqlite")
        try store.backup(to: backup)
        let copy = try Store(at: backup)
        // The instances: the schema version is each backend's own.
        #expect(try copy.exportInstances().instances == store.exportInstances().instances)
        #expect(try copy.checkIntegrity().isEmpty)
        #expect(try copy.snapshots().map(\.name) == ["kept"])
        #expect(try copy.restore(bankAccountFactory(initialBalance: 0), key: "main").balance() == 42)

        #expect(throws: SnapshotError.backupTargetExists(path: backup)) { try store.backup(to: backup) }
        _ = try store.restore(bankAccountFactory(initialBalance: 0), key: "main").deposit(1)
        try store.backup(to: backup, replacingExisting: true)
        #expect(try Store(at: backup).restore(bankAccountFactory(initialBalance: 0), key: "main").balance() == 43)

        let nowhere = directory.path("missing/folder/backup.sqlite")
        #expect(throws: SnapshotError.cannotWriteBackup(path: nowhere, reason: "it cannot be created")) {
            try store.backup(to: nowhere)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.url.path).filter { $0.contains("cellar-backup") }.isEmpty)
    }

    @Test(arguments: Backend.all) func aBackupTakenWhileAnotherProcessWritesIsConsistent(backend: Backend) throws {
        guard let location = try backend.newLocation() else { return }
        let directory = location.directory
        let total = 1_000_000
        let child = try Child.start([location.value, "transfers", String(total)])
        defer { child.kill(); _ = child.finish() }
        let store = try location.open()
        try waitUntil { try store.contains(InstanceID(factory: "counter", key: "transfers")) }
        for index in 0..<4 {
            let backup = directory.path("backup-\(index).sqlite")
            try store.backup(to: backup)
            let copy = try Store(at: backup)
            let alice = try copy.restore(bankAccountFactory(initialBalance: total), key: "alice").balance()
            let bob = try copy.restore(bankAccountFactory(initialBalance: 0), key: "bob").balance()
            #expect(alice + bob == total)
        }
    }
}

extension SnapshotTests {
    /// Each revert takes a full-copy undo snapshot: only the newest N stay,
    /// and the snapshots the user named are never touched.
    @Test(arguments: Backend.all) func automaticUndoSnapshotsStayWithinTheConfiguredCount(backend: Backend) throws {
        let directory = try TemporaryDirectory()
        let store = try Store(at: directory.path("store.sqlite"), options: .init(automaticSnapshotsKept: 3))
        let account = try store.restore(bankAccountFactory(initialBalance: 10), key: "main")
        try store.snapshot(named: "ten")
        var undos: [String] = []
        for round in 0..<40 {
            #expect(try account.deposit(round + 1))
            undos.append(try store.revert(toSnapshot: "ten").undoSnapshot)
            #expect(try account.balance() == 10)
            let automatic = try store.snapshots().filter(\.isAutomatic)
            #expect(automatic.count == min(round + 1, 3))
        }
        // Several reverts can share a millisecond, and so a name the limit
        // freed: the list is in the order the snapshots were taken.
        let kept = try store.snapshots()
        #expect(kept.map(\.name) == ["ten"] + undos.suffix(3), "\(kept.map(\.name)) vs \(undos.suffix(4))")
        // The newest undo snapshot still undoes the last revert.
        try store.revert(toSnapshot: undos.last!)
        #expect(try account.balance() == 50)
    }

    @Test(arguments: Backend.all) func pruningSnapshotsByCountAgeAndKind(backend: Backend) throws {
        guard let location = try backend.newLocation() else { return }
        let store = try location.open()
        _ = try store.restore(counterFactory, key: "c")
        for name in ["a", "b", "c"] { try store.snapshot(named: name) }
        for _ in 0..<3 { try store.revert(toSnapshot: "a") }
        #expect(try store.snapshots().count == 6)
        #expect(try store.pruneSnapshots(.automatic, keepingLast: 1).count == 2)
        #expect(try store.snapshots().filter { !$0.isAutomatic }.map(\.name) == ["a", "b", "c"])
        #expect(try store.pruneSnapshots(.named, keepingLast: 1) == ["a", "b"])
        #expect(try store.pruneSnapshots(olderThan: Date().addingTimeInterval(-3600)) == [])
        #expect(try store.pruneSnapshots(olderThan: Date().addingTimeInterval(1)).count == 2)
        #expect(try store.snapshots() == [])
    }
}
