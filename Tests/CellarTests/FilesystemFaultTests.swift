import Cellar
import Foundation
import Testing

/// A full disk and a read-only file system, made real with a small tmpfs
/// mounted for the test (the tests run as root, as CI does; where mounting is
/// not allowed they record why and stop).
@Suite struct FilesystemFaultTests {
    /// A tmpfs of `kilobytes` mounted on a fresh folder, unmounted at the end.
    final class TinyFilesystem {
        let directory: TemporaryDirectory
        let path: String

        init?(kilobytes: Int) throws {
            directory = try TemporaryDirectory()
            path = directory.path("mnt")
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            guard Self.shell("mount", "-t", "tmpfs", "-o", "size=\(kilobytes)k", "tmpfs", path) else { return nil }
        }

        deinit {
            _ = Self.shell("umount", "-l", path)
        }

        func remountReadOnly() -> Bool {
            Self.shell("mount", "-o", "remount,ro", path)
        }

        /// Fills the file system, leaving about `kilobytes` free.
        func fill(leaving kilobytes: Int) throws {
            let attributes = try FileManager.default.attributesOfFileSystem(forPath: path)
            let free = (attributes[.systemFreeSize] as? NSNumber)?.intValue ?? 0
            let filler = max(0, free - kilobytes * 1024)
            try Data(count: filler).write(to: URL(fileURLWithPath: path + "/filler"))
        }

        @discardableResult
        static func shell(_ arguments: String...) -> Bool {
            (try? RunningChild(executable: "/usr/bin/env", arguments: arguments).finish().status) == 0
        }
    }

    @Test func aWriteOnAFullDiskIsReportedAndChangesNothing() throws {
        guard let filesystem = try TinyFilesystem(kilobytes: 512) else {
            Issue.record("cannot mount a tmpfs here (not root?): the full-disk test did not run")
            return
        }
        let path = filesystem.path + "/store.sqlite"
        let store = try Store(at: path)
        let blob = try store.restore(Factory("files") { cells in cells.cell("content", default: Data()) }, key: "big")
        try blob.set(Data(repeating: 1, count: 10_000))
        try filesystem.fill(leaving: 64)
        let before = try store.exportInstances()

        #expect(throws: StoreError.diskFull(path: path)) { try blob.set(Data(repeating: 2, count: 400_000)) }
        #expect(try blob.get() == Data(repeating: 1, count: 10_000))
        // The log may keep the failed transaction's frames past its end, where
        // SQLite ignores them; what is stored is exactly as before.
        #expect(try store.exportInstances() == before)
        #expect(try Store(at: path).exportInstances() == before)

        // With room again, the store goes on working.
        try FileManager.default.removeItem(atPath: filesystem.path + "/filler")
        try blob.set(Data(repeating: 3, count: 100_000))
        #expect(try blob.get().count == 100_000)
    }

    @Test func aFullDiskInsideATransactionLeavesNoRolledBackValueInMemory() throws {
        guard let filesystem = try TinyFilesystem(kilobytes: 1024) else {
            Issue.record("cannot mount a tmpfs here (not root?): the full-disk test did not run")
            return
        }
        let path = filesystem.path + "/store.sqlite"
        let store = try Store(at: path)
        let count = try store.restore(Factory("counter") { cells in cells.cell("count", default: 0) }, key: "k")
        let blob = try store.restore(Factory("files") { cells in cells.cell("content", default: Data()) }, key: "big")
        try count.set(1)
        try filesystem.fill(leaving: 64)

        var failure: (any Error)?
        var rolledBack = false
        try? store.transaction {
            try count.set(2)
            // Larger than SQLite's page cache: written to the log while the
            // statement runs, so the disk fills inside the transaction.
            do { try blob.set(Data(repeating: 2, count: 4_000_000)) } catch { failure = error }
            // Whatever SQLite kept of the transaction, a read must match it,
            // or say that the transaction is gone.
            var seen: Int?
            do {
                seen = try count.get()
                let stored = try store.inspect(InstanceID(factory: "counter", key: "k"))?[cell: "count"]?.decode(as: Int.self)
                #expect(seen == stored)
            } catch StoreError.transactionAborted {
                rolledBack = true
                #expect(seen == nil || seen == 1, "a value the rolled-back transaction set was served from memory")
            }
        }
        #expect(failure != nil, "the disk did not fill")
        #expect(rolledBack, "SQLite kept the transaction: the case this test is about did not happen")
        #expect(try count.get() == Store(at: path).restore(Factory("counter") { cells in cells.cell("count", default: 0) }, key: "k").get())
    }

    @Test func anImportThatFillsTheDiskExits74AndImportsNothing() throws {
        guard let filesystem = try TinyFilesystem(kilobytes: 512) else {
            Issue.record("cannot mount a tmpfs here (not root?): the full-disk test did not run")
            return
        }
        let sandbox = try ToolSandbox()
        let storePath = filesystem.path + "/store.sqlite"
        expectResult(try sandbox.run("acct", "--store", storePath, "deposit", "main", "5"), status: 0,
                     stdout: "main: 5.00\n", stderr: "Opened account 'main'.\n")
        let export = StoreExport(schemaVersion: 1, instances: [
            .init(factory: "files", key: "big", stateVersion: 0, createdAt: "2026-01-01T00:00:00.000Z", cells: [
                .init(name: "content", type: "Data", encoding: "native", value: .blob(Data(repeating: 7, count: 600_000))),
            ]),
        ])
        let exportPath = sandbox.directory.path("big.json")
        try JSONEncoder().encode(export).write(to: URL(fileURLWithPath: exportPath))
        try filesystem.fill(leaving: 96)
        let before = storeFiles(at: storePath)

        expectResult(try sandbox.run("cellar", "--store", storePath, "import", exportPath), status: 74,
                     stderr: "Error: The disk holding '\(storePath)' is full; free some space and try again (nothing was changed).\n")
        #expect(storeFiles(at: storePath) == before)
        expectResult(try sandbox.run("acct", "--store", storePath, "balance", "main"), status: 0, stdout: "5.00\n")
    }

    @Test func aStoreOnAReadOnlyFileSystemRefusesWritesWith74() throws {
        guard let filesystem = try TinyFilesystem(kilobytes: 1024) else {
            Issue.record("cannot mount a tmpfs here (not root?): the read-only test did not run")
            return
        }
        let sandbox = try ToolSandbox()
        let storePath = filesystem.path + "/store.sqlite"
        _ = try sandbox.run("acct", "--store", storePath, "deposit", "main", "5")
        #expect(filesystem.remountReadOnly())
        let before = storeFiles(at: storePath)
        expectResult(try sandbox.run("acct", "--store", storePath, "deposit", "main", "1"), status: 74,
                     stderr: "Error: The store '\(storePath)' is read-only; check the permissions of the file and its folder.\n")
        #expect(storeFiles(at: storePath) == before)
    }
}
