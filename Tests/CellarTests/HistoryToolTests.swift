import Cellar
import Foundation
import Testing

/// `acct history`, `cellar history`, `cellar rewind` and `cellar history prune`, as built binaries.
@Suite struct HistoryToolTests {
    /// The fields of each line, split on runs of spaces, without the time.
    func fieldsWithoutTime(_ result: ChildResult) -> [[String]] {
        result.lines.map { line in Array(line.split(separator: " ").map(String.init).dropFirst()) }
    }

    @Test(arguments: Backend.all) func theLedgerShowsOperationsAmountsAndRunningBalances(backend: Backend) throws {
        guard let sandbox = try ToolSandbox(backend: backend) else { return }
        _ = try sandbox.run("acct", "open", "savings")
        _ = try sandbox.run("acct", "deposit", "main", "50")
        _ = try sandbox.run("acct", "withdraw", "main", "20")
        _ = try sandbox.run("acct", "transfer", "main", "savings", "5")
        _ = try sandbox.run("acct", "withdraw", "main", "1000")   // refused: not in the ledger
        let ledger = try sandbox.run("acct", "history", "main")
        #expect(ledger.status == 0)
        #expect(fieldsWithoutTime(ledger) == [
            ["open", "0.00", "0.00"],
            ["deposit", "+50.00", "50.00"],
            ["withdraw", "-20.00", "30.00"],
            ["transfer", "to", "savings", "-5.00", "25.00"],
        ])
        #expect(ledger.lines.allSatisfy { $0.hasPrefix("20") && $0.dropFirst(23).hasPrefix("Z  ") })
        let savings = try sandbox.run("acct", "history", "savings", "--json", "--limit", "1")
        #expect(savings.stdout.hasPrefix(#"{"entries":[{"amount":"+5.00","balance":"5.00","operation":"transfer from main","sequence":2,"time":"20"#))
        #expect(savings.stdout.hasSuffix(#"],"total":2,"truncated":true}"# + "\n"))
        // The plain list says when it is cut, on standard error.
        let cut = try sandbox.run("acct", "history", "main", "--limit", "2")
        #expect(cut.lines.count == 2)
        #expect(cut.stderr == "Showing the newest 2 of 4 entries; --limit N or --all shows more.\n")
        let whole = try sandbox.run("acct", "history", "main", "--all")
        #expect(whole.lines.count == 4 && whole.stderr == "")
        expectResult(try sandbox.run("acct", "history", "main", "--all", "--limit", "2"), status: 64,
                     stderr: "Error: Give --limit N or --all, not both.\n")
        expectResult(try sandbox.run("acct", "history", "mian"), status: 1,
                     stderr: "Error: No account named 'mian'. Did you mean 'main'? ('acct list' shows all accounts)\n")
    }

    @Test(arguments: Backend.all) func rewindFromTheShellIsRecordedAndLeavesOthersAlone(backend: Backend) throws {
        guard let sandbox = try ToolSandbox(backend: backend) else { return }
        _ = try sandbox.run("acct", "deposit", "main", "10")
        _ = try sandbox.run("acct", "deposit", "other", "7")
        _ = try sandbox.run("acct", "deposit", "main", "5")
        let history = try sandbox.run("cellar", "history", "account/main")
        #expect(fieldsWithoutTime(history).map { $0.dropFirst().map { $0 } } == [
            ["create", "balance", "=", "0"], ["deposit", "balance", "=", "1000"], ["deposit", "balance", "=", "1500"],
        ])
        expectResult(try sandbox.run("cellar", "rewind", "account/main", "--to-seq", "2"), status: 0,
                     stdout: "Rewound account/main to #2 (1 cell changed).\n")
        expectResult(try sandbox.run("acct", "list"), status: 0, stdout: "main   10.00\nother  7.00\n")
        let after = try sandbox.run("cellar", "history", "account/main", "--limit", "1", "--json")
        #expect(after.stdout.contains(#""operation":"rewind to #2","sequence":4"#))
        #expect(after.stdout.hasSuffix(#""total":4,"truncated":true}"# + "\n"))
        #expect(try sandbox.run("cellar", "history", "account/main", "--limit", "1").stderr
            == "Showing the newest 1 of 4 entries; --limit N or --all shows more.\n")

        // The time of entry #4, as `cellar history` prints it.
        let time = try #require(try sandbox.run("cellar", "history", "account/main", "--limit", "1").lines.first?.split(separator: " ")[1])
        _ = try sandbox.run("acct", "deposit", "main", "1")
        expectResult(try sandbox.run("cellar", "rewind", "account/main", "--to", String(time)), status: 0,
                     stdout: "Rewound account/main to #4 (1 cell changed).\n")
        expectResult(try sandbox.run("acct", "balance", "main"), status: 0, stdout: "10.00\n")
    }

    @Test(arguments: Backend.all) func historyErrorsHaveTheirStatusAndChangeNothing(backend: Backend) throws {
        guard let sandbox = try ToolSandbox(backend: backend) else { return }
        _ = try sandbox.run("acct", "deposit", "main", "10")
        let before = try sandbox.storeState
        expectResult(try sandbox.run("cellar", "rewind", "account/main", "--to", "2001-01-01T00:00:00Z"), status: 1,
                     stderr: try #require(try sandbox.run("cellar", "rewind", "account/main", "--to", "2001-01-01T00:00:00+02:00").stderr.nilIfEmpty))
        expectResult(try sandbox.run("cellar", "rewind", "account/main", "--to-seq", "9"), status: 64,
                     stderr: "Error: account/main has no history entry #9 (its last is #2); choose one its history lists.\n")
        expectResult(try sandbox.run("cellar", "rewind", "account/main", "--to", "tomorrow"), status: 64,
                     stderr: "Error: 'tomorrow' is not a time; write ISO 8601 with a time zone, e.g. 2026-11-23T10:00:00Z.\n")
        expectResult(try sandbox.run("cellar", "rewind", "account/nobody", "--to-seq", "1"), status: 1,
                     stderr: "Error: No instance 'account/nobody' in the store ('cellar list' shows what there is).\n")
        expectResult(try sandbox.run("cellar", "history", "prune", "--older-than", "3 days"), status: 64,
                     stderr: "Error: '3 days' is not a duration; write a whole number and a unit, e.g. 30d, 12h, 15m or 45s.\n")
        #expect(try sandbox.run("cellar", "history", "prune").status == 64)
        #expect(try sandbox.run("cellar", "rewind", "account/main").status == 64)
        #expect(try sandbox.storeState == before)
    }

    @Test(arguments: Backend.all) func pruningFromTheShell(backend: Backend) throws {
        guard let sandbox = try ToolSandbox(backend: backend) else { return }
        for _ in 0..<5 { _ = try sandbox.run("acct", "deposit", "main", "1") }
        expectResult(try sandbox.run("cellar", "history", "prune", "--older-than", "1d"), status: 0, stdout: "Pruned 0 history entries.\n")
        expectResult(try sandbox.run("cellar", "history", "prune", "--keep", "2", "--json"), status: 0, stdout: #"{"pruned":3}"# + "\n")
        #expect(try sandbox.run("cellar", "history", "account/main").lines.count == 3)
        expectResult(try sandbox.run("cellar", "rewind", "account/main", "--to-seq", "4"), status: 0,
                     stdout: "Rewound account/main to #4 (1 cell changed).\n")
        expectResult(try sandbox.run("acct", "balance", "main"), status: 0, stdout: "3.00\n")
    }
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
