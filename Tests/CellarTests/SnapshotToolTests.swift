import Cellar
import Foundation
import Testing

/// `cellar snapshot` and `cellar backup`, run as built binaries.
@Suite struct SnapshotToolTests {
    @Test(arguments: Backend.all) func snapshotChangeRestoreAndUndoFromTheShell(backend: Backend) throws {
        guard let sandbox = try ToolSandbox(backend: backend) else { return }
        _ = try sandbox.run("acct", "deposit", "main", "10")
        _ = try sandbox.run("acct", "open", "savings")
        expectResult(try sandbox.run("cellar", "snapshot", "create", "before pay day"), status: 0,
                     stdout: "Took snapshot 'before pay day' of 2 instances.\n")
        _ = try sandbox.run("acct", "deposit", "main", "5")
        _ = try sandbox.run("acct", "deposit", "savings", "7")

        let revert = try sandbox.run("cellar", "snapshot", "revert", "before pay day", "--only", "account/main")
        #expect(revert.status == 0)
        #expect(revert.stdout.hasPrefix("Reverted to snapshot 'before pay day' (1 instance changed); the state before is kept as snapshot 'undo-"))
        expectResult(try sandbox.run("acct", "list"), status: 0, stdout: "main     10.00\nsavings  7.00\n")

        let list = try sandbox.run("cellar", "snapshot", "list")
        #expect(list.lines.count == 2)
        #expect(list.lines[0].hasPrefix("before pay day ") && list.lines[0].hasSuffix("  2 instances"))
        #expect(list.lines[1].hasSuffix("2 instances  (automatic, before a revert)"))

        // Undo the revert, through the command's earlier name: main is back at 15.00.
        let undo = try #require(try sandbox.openStore().snapshots().last?.name)
        let undone = try sandbox.run("cellar", "snapshot", "restore", undo, "--json")
        #expect(undone.status == 0)
        #expect(undone.stdout.hasPrefix(#"{"changedInstances":1,"reverted":"\#(undo)","undoSnapshot":"undo-"#))
        expectResult(try sandbox.run("acct", "list"), status: 0, stdout: "main     15.00\nsavings  7.00\n")
    }

    @Test(arguments: Backend.all) func snapshotErrorsHaveTheirStatusAndChangeNothing(backend: Backend) throws {
        guard let sandbox = try ToolSandbox(backend: backend) else { return }
        _ = try sandbox.run("acct", "deposit", "main", "10")
        expectResult(try sandbox.run("cellar", "snapshot", "create", "one"), status: 0, stdout: "Took snapshot 'one' of 1 instance.\n")
        let before = try sandbox.storeState
        expectResult(try sandbox.run("cellar", "snapshot", "create", "one"), status: 1,
                     stderr: "Error: A snapshot named 'one' exists already; choose another name or delete it first.\n")
        expectResult(try sandbox.run("cellar", "snapshot", "restore", "two"), status: 1,
                     stderr: "Error: There is no snapshot named 'two'; list the snapshots to see their names.\n")
        expectResult(try sandbox.run("cellar", "snapshot", "delete", "two"), status: 1,
                     stderr: "Error: There is no snapshot named 'two'; list the snapshots to see their names.\n")
        expectResult(try sandbox.run("cellar", "snapshot", "create", "a/b"), status: 64,
                     stderr: "Error: The snapshot name 'a/b' is not valid: it contains '/'.\n")
        expectResult(try sandbox.run("cellar", "snapshot", "restore", "one", "--only", "account/a/b"), status: 64,
                     stderr: "Error: The key 'a/b' is not valid: it contains '/'.\n")
        #expect(try sandbox.storeState == before)
        expectResult(try sandbox.run("cellar", "snapshot", "delete", "one"), status: 0, stdout: "Deleted snapshot 'one'.\n")
        expectResult(try sandbox.run("cellar", "snapshot", "list"), status: 0)
    }

    @Test(arguments: Backend.all) func aBackupOpensAsAStoreOfItsOwnWithTheSameData(backend: Backend) throws {
        guard let sandbox = try ToolSandbox(backend: backend) else { return }
        _ = try sandbox.run("acct", "deposit", "main", "12.34")
        let backup = sandbox.directory.path("backup.sqlite")
        expectResult(try sandbox.run("cellar", "backup", backup), status: 0, stdout: "Backed up the store to '\(backup)'.\n")
        expectResult(try sandbox.run("cellar", "--store", backup, "check"), status: 0,
                     stdout: "integrity: ok\nschema version: \(latestSchemaVersion) (up to date)\ninstances: 1\n")
        // The instances: the schema version is each backend's own.
        let exported = { (result: ChildResult) in try JSONDecoder().decode(StoreExport.self, from: Data(result.stdout.utf8)).instances }
        #expect(try exported(sandbox.run("cellar", "--store", backup, "export")) == exported(sandbox.run("cellar", "export")))

        let backupBytes = FileManager.default.contents(atPath: backup)
        expectResult(try sandbox.run("cellar", "backup", backup), status: 1,
                     stderr: "Error: The file '\(backup)' exists already; choose another name or add --force to replace it.\n")
        #expect(FileManager.default.contents(atPath: backup) == backupBytes)
        let nowhere = sandbox.directory.path("no/such/folder/b.sqlite")
        expectResult(try sandbox.run("cellar", "backup", nowhere), status: 74,
                     stderr: "Error: The backup could not be written to '\(nowhere)' (it cannot be created); check the folder and the free space.\n")
        _ = try sandbox.run("acct", "deposit", "main", "1")
        expectResult(try sandbox.run("cellar", "backup", backup, "--force", "--json"), status: 0, stdout: #"{"backup":"\#(backup)"}"# + "\n")
        expectResult(try sandbox.run("acct", "--store", backup, "balance", "main"), status: 0, stdout: "13.34\n")
    }
}

extension SnapshotToolTests {
    @Test(arguments: Backend.all) func undoSnapshotsAreKeptInCheckAndPrunedFromTheShell(backend: Backend) throws {
        guard let sandbox = try ToolSandbox(backend: backend) else { return }
        _ = try sandbox.run("acct", "open", "main", "--initial", "5")
        _ = try sandbox.run("cellar", "snapshot", "create", "mine")
        for _ in 0..<4 {
            #expect(try sandbox.run("cellar", "snapshot", "revert", "mine", "--keep-undo", "2").status == 0)
        }
        let listed = try sandbox.run("cellar", "snapshot", "list").lines
        #expect(listed.count == 3 && listed[0].hasPrefix("mine "))
        expectResult(try sandbox.run("cellar", "snapshot", "prune", "--automatic", "--keep", "0"), status: 0,
                     stdout: "Deleted 2 snapshots.\n")
        expectResult(try sandbox.run("cellar", "snapshot", "prune", "--older-than", "1d", "--json"), status: 0,
                     stdout: #"{"deleted":[]}"# + "\n")
        #expect(try sandbox.run("cellar", "snapshot", "list").lines.count == 1)
        #expect(try sandbox.run("cellar", "snapshot", "prune", "--keep", "1", "--older-than", "1d").status == 64)
        #expect(try sandbox.run("cellar", "snapshot", "revert", "mine", "--keep-undo", "0").status == 64)
    }
}
