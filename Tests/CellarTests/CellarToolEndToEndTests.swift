@testable import Cellar
import CellarExamples
import Foundation
import Testing

/// `cellar`, the administration tool, run as a built binary.
@Suite struct CellarToolEndToEndTests {
    /// A sandbox whose store holds two accounts (via `acct`) and a task manager.
    func populatedSandbox(_ backend: Backend, sourceLocation: SourceLocation = #_sourceLocation) throws -> ToolSandbox? {
        guard let sandbox = try ToolSandbox(backend: backend, sourceLocation: sourceLocation) else { return nil }
        _ = try sandbox.run("acct", "deposit", "main", "150")
        _ = try sandbox.run("acct", "open", "savings", "--initial", "0.5")
        let store = try sandbox.openStore()
        _ = try store.restore(taskManagerFactory, key: "work").add(PlannedTask(name: "Ship it", priority: 9))
        return sandbox
    }

    @Test(arguments: Backend.all) func listAndInspectShowWhatIsStored(backend: Backend) throws {
        guard let sandbox = try populatedSandbox(backend) else { return }
        expectResult(try sandbox.run("cellar", "list"), status: 0, stdout: "account/main\naccount/savings\ntask_manager/work\n")
        expectResult(try sandbox.run("cellar", "list", "account"), status: 0, stdout: "account/main\naccount/savings\n")
        expectResult(try sandbox.run("cellar", "list", "account", "--json"), status: 0,
                     stdout: #"[{"factory":"account","key":"main"},{"factory":"account","key":"savings"}]"# + "\n")
        let inspect = try sandbox.run("cellar", "inspect", "task_manager/work")
        #expect(inspect.status == 0)
        #expect(inspect.lines.first?.hasPrefix("task_manager/work  (state version 0, created 20") == true)
        #expect(inspect.lines.dropFirst() == [#"  tasks: Array<PlannedTask> = [{"name":"Ship it","priority":9}]"#])
        let json = try sandbox.run("cellar", "inspect", "account/main", "--json")
        #expect(json.stdout.contains(#""cells":[{"encoding":"native","name":"balance","storage":"integer","type":"Int64","value":15000}]"#))
    }

    @Test(arguments: Backend.all) func unknownAndMalformedInstancesAreRefused(backend: Backend) throws {
        guard let sandbox = try populatedSandbox(backend) else { return }
        let before = try sandbox.storeState
        expectResult(try sandbox.run("cellar", "inspect", "account/mian"), status: 1,
                     stderr: "Error: No instance 'account/mian'. Did you mean 'account/main'? ('cellar list account' shows them)\n")
        expectResult(try sandbox.run("cellar", "inspect", "account/zzzzzz"), status: 1,
                     stderr: "Error: No instance 'account/zzzzzz' in the store ('cellar list' shows what there is).\n")
        expectResult(try sandbox.run("cellar", "inspect", "main"), status: 64,
                     stderr: "Error: The instance name 'main' is not valid: it is not FACTORY/KEY, such as account/main.\n")
        expectResult(try sandbox.run("cellar", "inspect", "account/a/b"), status: 64,
                     stderr: "Error: The key 'a/b' is not valid: it contains '/'.\n")
        expectResult(try sandbox.run("cellar", "delete", "account/mian", "--yes"), status: 1,
                     stderr: "Error: No instance 'account/mian'. Did you mean 'account/main'? ('cellar list account' shows them)\n")
        #expect(try sandbox.storeState == before)
    }

    @Test(arguments: Backend.all) func checkReportsIntegrityAndSchema(backend: Backend) throws {
        guard let sandbox = try populatedSandbox(backend) else { return }
        expectResult(try sandbox.run("cellar", "check"), status: 0,
                     stdout: "integrity: ok\nschema version: \(sandbox.latestSchemaVersion) (up to date)\ninstances: 3\n")
        expectResult(try sandbox.run("cellar", "check", "--json"), status: 0,
                     stdout: #"{"instances":3,"integrity":"ok","latestSchemaVersion":\#(sandbox.latestSchemaVersion),"problems":[],"schemaVersion":\#(sandbox.latestSchemaVersion)}"# + "\n")
        expectResult(try sandbox.run("cellar", "--store", sandbox.directory.path("missing.sqlite"), "check"), status: 74,
                     stderr: "Error: There is no store at '\(sandbox.directory.path("missing.sqlite"))'; check the path, or create the store by opening it for writing.\n")
    }

    @Test func checkFindsDamage() throws {
        let sandbox = try ToolSandbox()
        try FileManager.default.createDirectory(atPath: sandbox.directory.path("data/cellar"), withIntermediateDirectories: true)
        do {
            let store = try Store(at: sandbox.storePath)
            for index in 0..<300 { _ = try store.restore(counterFactory, key: "counter-\(index)")() }
        }
        // Scribble over a page near the end of the file (closed, so checkpointed).
        var bytes = try #require(FileManager.default.contents(atPath: sandbox.storePath))
        for offset in (bytes.count - 4096 + 100)..<(bytes.count - 200) { bytes[offset] = 0x5A }
        try bytes.write(to: URL(fileURLWithPath: sandbox.storePath))
        let result = try sandbox.run("cellar", "check")
        #expect(result.status == 74)
        #expect(result.stderr.hasPrefix("Error: The store '\(sandbox.storePath)' is damaged"))
    }

    @Test(arguments: Backend.all) func migrateShowsAndAppliesMigrations(backend: Backend) throws {
        guard let sandbox = try populatedSandbox(backend) else { return }
        let status = try sandbox.run("cellar", "migrate", "--status")
        #expect(status.status == 0)
        #expect(status.lines.count == sandbox.latestSchemaVersion)
        #expect(status.lines.first?.hasPrefix("0001_initial.sql  applied 20") == true)
        let json = try sandbox.run("cellar", "migrate", "--status", "--json")
        let newest = "change_numbers"
        #expect(json.stdout.hasPrefix(#"{"applied":[{"appliedAt":"#)
            && json.stdout.hasSuffix(#""name":"\#(newest)","version":\#(sandbox.latestSchemaVersion)}],"pending":[]}"# + "\n"))
        let before = try sandbox.storeState
        #expect(try sandbox.run("cellar", "migrate").status == 0)
        #expect(try sandbox.storeState == before, "migrating an up-to-date store wrote to it")
    }

    @Test(arguments: Backend.all) func exportThenImportReproducesTheStore(backend: Backend) throws {
        guard let sandbox = try populatedSandbox(backend) else { return }
        let exportPath = sandbox.directory.path("export.json")
        expectResult(try sandbox.run("cellar", "export", exportPath), status: 0)
        let toStdout = try sandbox.run("cellar", "export")
        #expect(toStdout.stdout == String(decoding: try #require(FileManager.default.contents(atPath: exportPath)), as: UTF8.self))

        let copyPath = sandbox.directory.path("copy.sqlite")
        expectResult(try sandbox.run("cellar", "--store", copyPath, "import", exportPath), status: 0, stdout: "Imported 3 instances.\n")
        #expect(try Store(at: copyPath).exportInstances().instances == sandbox.openStore().exportInstances().instances)
        expectResult(try sandbox.run("acct", "--store", copyPath, "balance", "main"), status: 0, stdout: "150.00\n")

        // A second import conflicts and changes nothing; --replace overwrites.
        _ = try sandbox.run("acct", "--store", copyPath, "deposit", "main", "1")
        let before = storeFiles(at: copyPath)
        expectResult(try sandbox.run("cellar", "--store", copyPath, "import", exportPath), status: 1,
                     stderr: "Error: The store already holds account/main, account/savings, task_manager/work; nothing was imported (add --replace to overwrite them).\n")
        #expect(storeFiles(at: copyPath) == before)
        expectResult(try sandbox.run("cellar", "--store", copyPath, "import", exportPath, "--replace", "--json"), status: 0,
                     stdout: #"{"imported":3}"# + "\n")
        expectResult(try sandbox.run("acct", "--store", copyPath, "balance", "main"), status: 0, stdout: "150.00\n")

        expectResult(try sandbox.run("cellar", "export", exportPath), status: 1,
                     stderr: "Error: The file '\(exportPath)' exists already; choose another name or add --force to overwrite it.\n")
        expectResult(try sandbox.run("cellar", "export", exportPath, "--force"), status: 0)
    }

    /// `cellar copy` between backends, both ways, and into a store that is
    /// not empty.
    @Test(arguments: Backend.all) func copyMovesAWholeStoreToAnotherBackendAndBack(backend: Backend) throws {
        guard let sandbox = try populatedSandbox(backend) else { return }
        let source = sandbox.location?.value ?? sandbox.storePath
        let other: Backend = backend == .sqlite ? .postgresql : .sqlite
        guard let target = try other.newLocation() else { return }
        _ = try sandbox.run("cellar", "snapshot", "create", "before the move")
        let shownTarget = other == .sqlite ? target.value : try PostgreSQLURL(target.value).redacted
        expectResult(try sandbox.run("cellar", "copy", "--from", source, "--to", target.value), status: 0,
                     stdout: "Copied 3 instances to \(shownTarget).\n")
        expectResult(try sandbox.run("acct", "--store", target.value, "balance", "main"), status: 0, stdout: "150.00\n")
        let snapshots = try sandbox.run("cellar", "--store", target.value, "snapshot", "list")
        #expect(snapshots.lines.first?.hasPrefix("before the move ") == true)
        let instances = { (store: String) in
            try JSONDecoder().decode(StoreExport.self, from: Data(try sandbox.run("cellar", "--store", store, "export").stdout.utf8)).instances
        }
        #expect(try instances(target.value) == instances(source))

        // Into a store that holds instances: refused, and nothing changes.
        let before = try target.storedState()
        let refused = try sandbox.run("cellar", "copy", "--from", source, "--to", target.value, "--json")
        #expect(refused.status == 1)
        #expect(try jsonError(refused).object.kind == "ImportError.conflict")
        #expect(try target.storedState() == before)

        // And back, into a new store of the first backend.
        guard let back = try backend.newLocation() else { return }
        let copied = try sandbox.run("cellar", "copy", "--from", target.value, "--to", back.value, "--json")
        #expect(copied.status == 0 && copied.stdout.hasPrefix(#"{"copied":3,"#), "\(copied.stderr)")
        #expect(try instances(back.value) == instances(source))
    }

    @Test(arguments: Backend.all) func importRefusesWhatIsNotAnExport(backend: Backend) throws {
        guard let sandbox = try populatedSandbox(backend) else { return }
        let before = try sandbox.storeState
        let bad = sandbox.directory.path("bad.json")
        try Data(#"{"format":"cellar-export","formatVersion":1,"schemaVersion":1,"instances":[{"factory":"a/b","key":"k","stateVersion":0,"createdAt":"x","cells":[]}]}"#.utf8)
            .write(to: URL(fileURLWithPath: bad))
        expectResult(try sandbox.run("cellar", "import", bad), status: 64,
                     stderr: "Error: The export cannot be imported: the factory name 'a/b' is not valid: it contains '/'; nothing was imported.\n")
        try Data("not json".utf8).write(to: URL(fileURLWithPath: bad))
        expectResult(try sandbox.run("cellar", "import", bad), status: 64,
                     stderr: "Error: '\(bad)' is not a Cellar export (it is not valid JSON); nothing was imported.\n")
        expectResult(try sandbox.run("cellar", "import", sandbox.directory.path("none.json")), status: 64,
                     stderr: "Error: Cannot read '\(sandbox.directory.path("none.json"))'; check that it exists and that you may read it.\n")
        #expect(try sandbox.storeState == before)
    }

    @Test(arguments: Backend.all) func deleteNeedsConfirmation(backend: Backend) throws {
        guard let sandbox = try populatedSandbox(backend) else { return }
        let before = try sandbox.storeState
        expectResult(try sandbox.run("cellar", "delete", "account/savings"), status: 64,
                     stderr: "Error: Not deleting account/savings without confirmation: standard input is not a terminal; add --yes.\n")
        expectResult(try sandbox.run("cellar", "delete", "account/savings", input: "y\n"), status: 64,
                     stderr: "Error: Not deleting account/savings without confirmation: standard input is not a terminal; add --yes.\n")
        #expect(try sandbox.storeState == before)
        expectResult(try sandbox.run("cellar", "delete", "account/savings", "--yes"), status: 0, stdout: "Deleted account/savings.\n")
        expectResult(try sandbox.run("cellar", "list", "account"), status: 0, stdout: "account/main\n")
    }

    @Test(arguments: Backend.all) func deleteAsksOnATerminal(backend: Backend) throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/script") else { return }
        guard let sandbox = try populatedSandbox(backend) else { return }
        let cellar = builtExecutable("cellar").path
        let command = "'\(cellar)' --store '\(sandbox.location?.value ?? sandbox.storePath)' delete account/savings"
        // `script` gives the command a pseudo-terminal; the answer is typed into it.
        let no = try runInTerminal(command, answer: "n\n")
        #expect(no.contains("Delete account/savings and its 1 cell? [y/N]"))
        #expect(no.contains("Nothing was deleted."))
        #expect(try sandbox.openStore().contains(InstanceID(factory: "account", key: "savings")))
        let yes = try runInTerminal(command, answer: "y\n")
        #expect(yes.contains("Deleted account/savings."))
        #expect(try sandbox.openStore().contains(InstanceID(factory: "account", key: "savings")) == false)
    }

    /// Runs `command` on a pseudo-terminal (script(1)), typing `answer`.
    private func runInTerminal(_ command: String, answer: String) throws -> String {
        let result = try RunningChild(executable: "/usr/bin/script", arguments: ["-qec", command, "/dev/null"],
                                      input: Data(answer.utf8)).finish()
        return result.stdout + result.stderr
    }
}
