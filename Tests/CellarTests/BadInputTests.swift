import Foundation
import Cellar
import Testing

/// Every bad input and broken store a person or script can produce gets its
/// documented exit status and one clear sentence, and leaves the store
/// byte for byte as it was.
@Suite struct BadInputTests {
    static let amountHint = "write amounts like 50 or 12.34."
    static let nameRules = "use 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit."

    static let refusals: [(arguments: [String], status: Int32, stderr: String)] = [
        (["deposit", "main", "0"], 64, "The amount must be more than 0.00, not '0'."),
        (["deposit", "main", "-5"], 64, "'-5' is not a valid amount (it is negative); \(amountHint)"),
        (["deposit", "main", "abc"], 64, "'abc' is not a valid amount (it is not a number); \(amountHint)"),
        (["deposit", "main", "1.005"], 64, "'1.005' is not a valid amount (it has more than two decimals); \(amountHint)"),
        (["deposit", "main", "1e3"], 64, "'1e3' is not a valid amount (exponents are not accepted); \(amountHint)"),
        (["deposit", "main", "1,000"], 64, "'1,000' is not a valid amount (thousands separators are not accepted); \(amountHint)"),
        (["deposit", "main", " 5"], 64, "' 5' is not a valid amount (it contains white space); \(amountHint)"),
        (["deposit", "main", "92233720368547758.08"], 64,
         "'92233720368547758.08' is not a valid amount (it is larger than 92233720368547758.07); \(amountHint)"),
        (["deposit", "main", "92233720368547758.07"], 1,
         "Depositing 92233720368547758.07 would take 'main' past the largest balance, 92233720368547758.07."),
        (["deposit", "", "5"], 64, "An account name cannot be empty; \(nameRules)"),
        (["deposit", "a/b", "5"], 64, "'a/b' is not a valid account name; \(nameRules)"),
        (["deposit", "it's", "5"], 64, "'it\\'s' is not a valid account name; \(nameRules)"),
        (["deposit", "x; DROP TABLE cells", "5"], 64, "'x; DROP TABLE cells' is not a valid account name; \(nameRules)"),
        (["deposit", "bell\u{7}", "5"], 64, "'bell\\u{07}' is not a valid account name; \(nameRules)"),
        (["deposit", String(repeating: "n", count: 65), "5"], 64,
         "'\(String(repeating: "n", count: 48))... (65 bytes)' is not a valid account name; \(nameRules)"),
        (["withdraw", "mian", "5"], 1, "No account named 'mian'. Did you mean 'main'? ('acct list' shows all accounts)"),
        (["withdraw", "nobody", "5"], 1, "No account named 'nobody'; 'acct open nobody' creates it ('acct list' shows all accounts)."),
        (["withdraw", "main", "150.01"], 1, "Insufficient funds: 'main' has 150.00, which is less than 150.01."),
        (["transfer", "main", "main", "1"], 64, "Cannot transfer from 'main' to itself; name two different accounts."),
        (["transfer", "main", "nobody", "1"], 1, "No account named 'nobody'; 'acct open nobody' creates it ('acct list' shows all accounts)."),
        (["transfer", "main", "savings", "500"], 1, "Insufficient funds: 'main' has 150.00, which is less than 500.00."),
        (["open", "main"], 1, "The account 'main' already exists (balance 150.00)."),
        (["open", "new", "--initial", "-1"], 64, "'-1' is not a valid amount (it is negative); \(amountHint)"),
        (["close", "main"], 1, "The account 'main' still holds 150.00; withdraw it first, or close with --force to discard it."),
        (["balance", "mian"], 1, "No account named 'mian'. Did you mean 'main'? ('acct list' shows all accounts)"),
    ]

    @Test(arguments: refusals)
    func acctRefusesBadInputAndChangesNothing(arguments: [String], status: Int32, stderr: String) throws {
        let sandbox = try ToolSandbox()
        expectResult(try sandbox.run("acct", "deposit", "main", "150"), status: 0,
                     stdout: "main: 150.00\n", stderr: "Opened account 'main'.\n")
        expectResult(try sandbox.run("acct", "open", "savings"), status: 0, stdout: "savings: 0.00\n")
        let before = try sandbox.storeState
        let result = try sandbox.start("acct", arguments).finish()
        expectResult(result, status: status, stderr: "Error: \(stderr)\n")
        #expect(try sandbox.storeState == before)
    }

    @Test(arguments: Backend.all) func usageErrorsExit64(backend: Backend) throws {
        guard let sandbox = try ToolSandbox(backend: backend) else { return }
        for arguments in [["deposit", "main"], ["frobnicate"], ["deposit", "main", "5", "--bogus"]] {
            let result = try sandbox.start("acct", arguments).finish()
            #expect(result.status == 64, "\(arguments): \(result.stderr)")
            #expect(result.stderr.hasPrefix("Error: "))
        }
    }

    /// Stores that cannot be used: each refused with status 74 and the
    /// file left exactly as it was.
    static let brokenStores: [(name: String, prepare: @Sendable (String) throws -> Void, stderr: @Sendable (String) -> String)] = [
        ("not a database", { path in
            try Data(String(repeating: "just some text\n", count: 300).utf8).write(to: URL(fileURLWithPath: path))
        }, { "The file '\($0)' is not a SQLite database; choose another path, or restore the store from a backup." }),
        ("foreign SQLite", { path in
            try RawDatabase(path: path).execute("CREATE TABLE people (name TEXT); INSERT INTO people VALUES ('Ada');")
        }, { "The file '\($0)' is a SQLite database but not a Cellar store; choose another path, Cellar leaves it untouched." }),
        ("newer schema", { path in
            _ = try Cellar.Store(at: path)
            try RawDatabase(path: path).execute("INSERT INTO cellar_migrations (version, name) VALUES (42, 'future')")
        }, { "The store '\($0)' was written by a newer Cellar (schema version 42, this one knows up to \(latestSchemaVersion)); upgrade Cellar to use it." }),
    ]

    @Test(arguments: 0..<3)
    func brokenStoresAreRefusedWith74AndLeftAlone(index: Int) throws {
        let (_, prepare, message) = Self.brokenStores[index]
        let sandbox = try ToolSandbox()
        try FileManager.default.createDirectory(atPath: sandbox.directory.path("data/cellar"), withIntermediateDirectories: true)
        try prepare(sandbox.storePath)
        let before = try sandbox.storeState
        for (tool, arguments) in [("acct", ["deposit", "main", "5"]), ("acct", ["list"]), ("cellar", ["list"]), ("cellar", ["check"])] {
            let result = try sandbox.start(tool, arguments).finish()
            expectResult(result, status: 74, stderr: "Error: \(message(sandbox.storePath))\n")
        }
        #expect(try sandbox.storeState == before)
    }

    @Test(arguments: Backend.all) func aStorePathThatCannotBeCreatedIs74(backend: Backend) throws {
        guard let sandbox = try ToolSandbox(backend: backend) else { return }
        let blocker = sandbox.directory.path("file")
        try Data("x".utf8).write(to: URL(fileURLWithPath: blocker))
        let result = try sandbox.run("acct", "--store", blocker + "/store.sqlite", "deposit", "main", "1")
        #expect(result.status == 74)
        #expect(result.stderr.hasPrefix("Error: Cannot open the store at '\(blocker)/store.sqlite'"))
    }
}
