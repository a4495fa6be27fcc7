@testable import Cellar
import Foundation
import Testing

/// A temporary home for the command-line tools: its own store path and an
/// environment that points both tools at it and nowhere else.
final class ToolSandbox {
    let directory: TemporaryDirectory
    /// The store both tools use by default here: $XDG_DATA_HOME/cellar/store.sqlite.
    let storePath: String
    /// The store of a sandbox for PostgreSQL, which CELLAR_STORE names.
    private(set) var location: StoreLocationForTest?
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

    /// A sandbox whose tools use a store of `backend`: the default file for
    /// SQLite, a schema of its own on the test server for PostgreSQL (through
    /// CELLAR_STORE); nil when the backend cannot run here.
    convenience init?(backend: Backend, sourceLocation: SourceLocation = #_sourceLocation) throws {
        try self.init()
        guard backend == .postgresql else { return }
        guard let location = try backend.newLocation(sourceLocation: sourceLocation) else { return nil }
        self.location = location
        useStore(location.value)
    }

    /// The store as the tools name it in messages: the file's path, or the URL.
    var storeName: String {
        location.map { (try? PostgreSQLURL($0.value).redacted) ?? $0.value } ?? storePath
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

    /// The store, opened in this process.
    func openStore() throws -> Store {
        try location?.open() ?? Store(at: storePath)
    }

    /// The schema version a store of this sandbox's backend has when up to date.
    var latestSchemaVersion: Int {
        location?.backend.latestSchemaVersion ?? Backend.sqlite.latestSchemaVersion
    }

    /// Takes the store's write lock on another connection until the
    /// returned function is called: SQLite's file lock, or PostgreSQL's
    /// lock on the instances.
    func holdWriteLock() throws -> () -> Void {
        if let location {
            #if PostgreSQL
            let connection = try location.postgreSQLConnection()
            try connection.execute("BEGIN; LOCK TABLE instances IN ACCESS EXCLUSIVE MODE")
            return { try? connection.execute("ROLLBACK") }
            #endif
        }
        let holder = try RawDatabase(path: storePath)
        try holder.execute("BEGIN IMMEDIATE")
        return { try? holder.execute("ROLLBACK") }
    }

    /// What the store holds, to compare before and after a refused command.
    var storeState: [String: Data] {
        get throws {
            try location?.storedState() ?? storeFiles(at: storePath)
        }
    }
}

/// Expects exactly this exit status, standard output and standard error.
func expectResult(_ result: ChildResult, status: Int32, stdout: String = "", stderr: String = "",
                  sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(result.status == status, "stderr: \(result.stderr)", sourceLocation: sourceLocation)
    #expect(result.stdout == stdout, sourceLocation: sourceLocation)
    #expect(result.stderr == stderr, sourceLocation: sourceLocation)
}

/// What `--json` writes on standard error for an error.
struct ErrorObject: Decodable, Equatable {
    let error: String
    let status: Int32
    let kind: String
}

/// The JSON object on the last line of standard error, and the sentence before it.
func jsonError(_ result: ChildResult) throws -> (sentence: String, object: ErrorObject) {
    let lines = result.stderr.split(separator: "\n").map(String.init)
    let object = try JSONDecoder().decode(ErrorObject.self, from: Data(try #require(lines.last).utf8))
    #expect(object.status == result.status)
    return (lines.first ?? "", object)
}
