import Foundation
import Testing

/// `acct` run as a person or a script runs it: the built binary, its exact
/// output and exit status.
@Suite struct AcctEndToEndTests {
    @Test(arguments: Backend.all) func aSessionOfEveryCommand(backend: Backend) throws {
        guard let sandbox = try ToolSandbox(backend: backend) else { return }
        expectResult(try sandbox.run("acct", "deposit", "main", "50"), status: 0,
                     stdout: "main: 50.00\n", stderr: "Opened account 'main'.\n")
        expectResult(try sandbox.run("acct", "deposit", "main", "100.5"), status: 0, stdout: "main: 150.50\n")
        expectResult(try sandbox.run("acct", "balance", "main"), status: 0, stdout: "150.50\n")
        expectResult(try sandbox.run("acct", "withdraw", "main", "0.50"), status: 0, stdout: "main: 150.00\n")
        expectResult(try sandbox.run("acct", "open", "savings", "--initial", "10"), status: 0, stdout: "savings: 10.00\n")
        expectResult(try sandbox.run("acct", "open", "empty"), status: 0, stdout: "empty: 0.00\n")
        expectResult(try sandbox.run("acct", "transfer", "main", "savings", "25"), status: 0,
                     stdout: "main: 125.00\nsavings: 35.00\n")
        expectResult(try sandbox.run("acct", "list"), status: 0,
                     stdout: "empty    0.00\nmain     125.00\nsavings  35.00\n")
        expectResult(try sandbox.run("acct", "close", "empty"), status: 0, stdout: "empty: closed\n")
        expectResult(try sandbox.run("acct", "close", "savings", "--force"), status: 0, stdout: "savings: closed (35.00 discarded)\n")
        expectResult(try sandbox.run("acct", "list"), status: 0, stdout: "main  125.00\n")
    }

    @Test(arguments: Backend.all) func everyCommandSpeaksJSON(backend: Backend) throws {
        guard let sandbox = try ToolSandbox(backend: backend) else { return }
        expectResult(try sandbox.run("acct", "open", "a", "--initial", "1", "--json"), status: 0,
                     stdout: #"{"account":"a","balance":"1.00"}"# + "\n")
        expectResult(try sandbox.run("acct", "--json", "deposit", "b", "2"), status: 0,
                     stdout: #"{"account":"b","balance":"2.00"}"# + "\n", stderr: "Opened account 'b'.\n")
        expectResult(try sandbox.run("acct", "withdraw", "b", "1", "--json"), status: 0,
                     stdout: #"{"account":"b","balance":"1.00"}"# + "\n")
        expectResult(try sandbox.run("acct", "balance", "b", "--json"), status: 0,
                     stdout: #"{"account":"b","balance":"1.00"}"# + "\n")
        expectResult(try sandbox.run("acct", "transfer", "a", "b", "0.25", "--json"), status: 0,
                     stdout: #"{"amount":"0.25","from":{"account":"a","balance":"0.75"},"to":{"account":"b","balance":"1.25"}}"# + "\n")
        expectResult(try sandbox.run("acct", "list", "--json"), status: 0,
                     stdout: #"[{"account":"a","balance":"0.75"},{"account":"b","balance":"1.25"}]"# + "\n")
        expectResult(try sandbox.run("acct", "close", "a", "--force", "--json"), status: 0,
                     stdout: #"{"account":"a","balance":"0.75","closed":true}"# + "\n")
    }

    @Test func bothToolsShareTheDefaultStoreWhichIsPrivate() throws {
        let sandbox = try ToolSandbox()
        expectResult(try sandbox.run("acct", "deposit", "main", "150"), status: 0,
                     stdout: "main: 150.00\n", stderr: "Opened account 'main'.\n")
        let inspect = try sandbox.run("cellar", "inspect", "account/main")
        #expect(inspect.status == 0)
        #expect(inspect.lines.last == "  balance: Int64 = 15000")
        let attributes = { (path: String) in
            (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue
        }
        #expect(try attributes(sandbox.storePath) == 0o600)
        #expect(try attributes(sandbox.directory.path("data/cellar")) == 0o700)
        #expect(try sqliteRows(sandbox.storePath, "SELECT value FROM cells") == ["15000"])
    }

    @Test(arguments: Backend.all) func readingCommandsOnAMissingStoreCreateNothing(backend: Backend) throws {
        guard let sandbox = try ToolSandbox(backend: backend) else { return }
        expectResult(try sandbox.run("acct", "list"), status: 0)
        expectResult(try sandbox.run("acct", "balance", "main"), status: 1,
                     stderr: "Error: No account named 'main'; 'acct open main' creates it ('acct list' shows all accounts).\n")
        #expect(!FileManager.default.fileExists(atPath: sandbox.storePath))
    }

    @Test(arguments: Backend.all) func depositsFromManyProcessesAtOnceAllCount(backend: Backend) throws {
        guard let sandbox = try ToolSandbox(backend: backend) else { return }
        expectResult(try sandbox.run("acct", "open", "main"), status: 0, stdout: "main: 0.00\n")
        let rounds = 4, processes = 8
        for _ in 0..<rounds {
            let running = try (0..<processes).map { _ in try sandbox.start("acct", ["deposit", "main", "1"]) }
            for process in running {
                let result = process.finish()
                #expect(result.status == 0, "\(result.stderr)")
                #expect(result.stderr.isEmpty)
            }
        }
        expectResult(try sandbox.run("acct", "balance", "main"), status: 0, stdout: "\(rounds * processes).00\n")
    }

    @Test(arguments: Backend.all) func depositsKilledMidCommandAreWholeOrAbsent(backend: Backend) throws {
        guard let sandbox = try ToolSandbox(backend: backend) else { return }
        expectResult(try sandbox.run("acct", "open", "main"), status: 0, stdout: "main: 0.00\n")
        var acknowledged = 0, killed = 0
        for round in 0..<24 {
            let process = try sandbox.start("acct", ["deposit", "main", "1"])
            // Kill at a random moment: often during start-up, sometimes mid-commit.
            Thread.sleep(forTimeInterval: Double(round % 8) * 0.004)
            process.kill()
            let result = process.finish()
            if result.status == 0 { acknowledged += 1 } else { killed += 1 }
        }
        let balance = try #require(try sandbox.run("acct", "balance", "main").lines.first.flatMap { Double($0) })
        #expect(Int(balance) >= acknowledged && Int(balance) <= acknowledged + killed,
                "\(acknowledged) acknowledged, \(killed) killed, balance \(balance)")
        #expect(balance == balance.rounded(), "a deposit was half applied")
        expectResult(try sandbox.run("cellar", "check"), status: 0,
                     stdout: "integrity: ok\nschema version: \(sandbox.latestSchemaVersion) (up to date)\ninstances: 1\n")
    }

    /// The plain forms (`acct deposit NAME AMOUNT` and the like) skip
    /// ArgumentParser; the same commands with an option go through it. Both
    /// must behave identically.
    @Test func plainFormsBehaveLikeParsedOnes() throws {
        let plain = try ToolSandbox(), parsed = try ToolSandbox()
        let commands: [[String]] = [
            ["deposit", "main", "5"], ["deposit", "main", "2.5"], ["withdraw", "main", "1"], ["withdraw", "main", "100"],
            ["withdraw", "mian", "1"], ["balance", "main"], ["balance", "nobody"], ["deposit", "savings", "1"],
            ["transfer", "main", "savings", "1.25"], ["transfer", "main", "main", "1"], ["deposit", "main", "1e3"],
            ["deposit", "a/b", "1"], ["deposit", "", "1"], ["balance", "savings"],
        ]
        for command in commands {
            let viaPlainForm = try plain.start("acct", command).finish()
            let viaParser = try parsed.start("acct", command + ["--store", parsed.storePath]).finish()
            #expect(viaPlainForm.status == viaParser.status, "\(command)")
            #expect(viaPlainForm.stdout == viaParser.stdout, "\(command)")
            #expect(viaPlainForm.stderr == viaParser.stderr, "\(command)")
        }
        #expect(try plain.storeState.keys == parsed.storeState.keys)
        expectResult(try plain.run("acct", "list"), status: 0, stdout: "main     5.25\nsavings  2.25\n")
    }

    @Test(arguments: Backend.all) func helpDocumentsNamesAmountsAndExitStatuses(backend: Backend) throws {
        guard let sandbox = try ToolSandbox(backend: backend) else { return }
        let help = try sandbox.run("acct", "--help")
        #expect(help.status == 0)
        for text in ["ACCOUNT NAMES", "1 to 64 letters, digits", "AMOUNTS", "EXIT STATUS", "64  bad usage", "75  busy past the timeout", "EXAMPLES"] {
            #expect(help.stdout.contains(text), "acct --help lacks \(text)")
        }
        let completion = try sandbox.run("acct", "--generate-completion-script", "bash")
        #expect(completion.status == 0)
        #expect(completion.stdout.contains("deposit"))
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
