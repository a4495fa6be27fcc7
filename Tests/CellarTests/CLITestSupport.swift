import Foundation
import Testing

/// A temporary home for the command-line tools: its own store path and an
/// environment that points both tools at it and nowhere else.
final class ToolSandbox {
    let directory: TemporaryDirectory
    /// The store both tools use by default here: $XDG_DATA_HOME/cellar/store.sqlite.
    let storePath: String
    private(set) var environment: [String: String]

    init() throws {
        directory = try TemporaryDirectory()
        storePath = directory.path("data/cellar/store.sqlite")
        var environment = ProcessInfo.processInfo.environment
        environment["CELLAR_STORE"] = nil
        environment["HOME"] = directory.path("home")
        environment["XDG_DATA_HOME"] = directory.path("data")
        self.environment = environment
    }

    /// Points both tools at `location` (a file or a postgresql:// URL)
    /// through `CELLAR_STORE`.
    func useStore(_ location: String) {
        environment["CELLAR_STORE"] = location
    }

    /// Runs `tool` (`acct` or `cellar`) to completion.
    func run(_ tool: String, _ arguments: String..., input: String? = nil) throws -> ChildResult {
        try start(tool, arguments, input: input).finish()
    }

    func start(_ tool: String, _ arguments: [String], input: String? = nil) throws -> RunningChild {
        try RunningChild(executable: tool, arguments: arguments, environment: environment, input: input.map { Data($0.utf8) })
    }

    /// The store's state files, to compare before and after a refused command.
    var storeState: [String: Data] {
        storeFiles(at: storePath)
    }
}

/// Expects exactly this exit status, standard output and standard error.
func expectResult(_ result: ChildResult, status: Int32, stdout: String = "", stderr: String = "",
                  sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(result.status == status, "stderr: \(result.stderr)", sourceLocation: sourceLocation)
    #expect(result.stdout == stdout, sourceLocation: sourceLocation)
    #expect(result.stderr == stderr, sourceLocation: sourceLocation)
}
