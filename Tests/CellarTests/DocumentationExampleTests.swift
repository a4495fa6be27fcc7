import Foundation
import Testing

/// The Swift code of the README and of the DocC articles is compiled into
/// the test child with every build of the tests (DocumentationExamplesPlugin);
/// here it runs, in a fresh folder, as a reader would run it.
@Suite struct DocumentationExampleTests {
    private func runExamples(of file: String, in directory: TemporaryDirectory, environment: [String: String] = [:]) throws -> ChildResult {
        try RunningChild(executable: "CellarTestChild", arguments: ["-", "examples", file],
                         environment: ProcessInfo.processInfo.environment.merging(environment) { $1 },
                         currentDirectory: directory.url.path).finish()
    }

    /// The PostgreSQL article's example, on a schema of its own on the test server.
    @Test func thePostgreSQLArticlesExampleSharesOneBalance() throws {
        #if PostgreSQL
        guard let location = try Backend.postgresql.newLocation() else { return }
        let result = try runExamples(of: "PostgreSQLStores.md", in: location.directory, environment: ["BANK_DATABASE_URL": location.value])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.lines == ["100"])
        let again = try runExamples(of: "PostgreSQLStores.md", in: location.directory, environment: ["BANK_DATABASE_URL": location.value])
        #expect(again.lines == ["200"])
        #endif
    }

    @Test func theReadmeExamplesRunAndRemember() throws {
        let directory = try TemporaryDirectory()
        let first = try runExamples(of: "README.md", in: directory)
        #expect(first.status == 0, "\(first.stderr)")
        // visits, the total read in one state, the balance after ten concurrent deposits, the owned counter
        #expect(first.lines == ["1", "15000", "11000", "views: 0", "views: 1", "views: 2", "views: 3", "1"])
        let second = try runExamples(of: "README.md", in: directory)
        #expect(second.lines == ["2", "31000", "22000", "views: 3", "views: 4", "views: 5", "views: 6", "2"])
        #expect(FileManager.default.fileExists(atPath: directory.path("app.sqlite")))
    }

    @Test(arguments: [
        ("Cellar.md", ["1"]),
        ("FromPythonClosures.md", ["16", "1 2", "1", #"["coefficient", "product"]"#, "27"]),
        ("KeysAndNames.md", ["The key 'a/b' is not valid: it contains '/'."]),
        ("ReadsAndTransactions.md", ["200"]),
        ("AsyncAndGroupCommit.md", ["20", "1000"]),
        ("WatchingChanges.md", ["balance: 0", "balance: 10", "balance: 15"]),
    ])
    func theDocCArticlesExamplesRunAsTheirCommentsSay(file: String, output: [String]) throws {
        let directory = try TemporaryDirectory()
        let result = try runExamples(of: file, in: directory)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.lines == output)
    }
}
