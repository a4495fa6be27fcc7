import Cellar
import Foundation
import Testing

/// A fresh temporary directory for one test, removed when the test ends.
final class TemporaryDirectory: Sendable {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("cellar-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }

    /// The path of `name` inside the directory.
    func path(_ name: String) -> String {
        url.appendingPathComponent(name).path
    }
}

/// The files that hold a store's state (the main file, its write-ahead log
/// and any rollback journal) and their bytes, to prove that a refused
/// operation left the store exactly as it was. The `-shm` file is left out:
/// it is an index of the log that readers update too, not stored state; so
/// is an empty log, which opening a store creates.
func storeFiles(at path: String) -> [String: Data] {
    var files: [String: Data] = [:]
    for suffix in ["", "-wal", "-journal"] {
        if let data = FileManager.default.contents(atPath: path + suffix), suffix.isEmpty || !data.isEmpty {
            files[suffix] = data
        }
    }
    return files
}

/// What a finished child process left behind.
struct ChildResult {
    let status: Int32
    let stdout: String
    let stderr: String

    var lines: [String] {
        stdout.split(separator: "\n").map(String.init)
    }
}

/// Starts and reads `CellarTestChild`, the helper executable built beside the tests.
enum Child {
    /// Runs the child to completion.
    static func run(_ arguments: [String]) throws -> ChildResult {
        let process = try start(arguments)
        return process.finish()
    }

    static func start(_ arguments: [String]) throws -> RunningChild {
        try RunningChild(executable: "CellarTestChild", arguments: arguments)
    }
}

/// An executable built into the same folder as the tests: `acct`, `cellar`
/// or `CellarTestChild`.
func builtExecutable(_ name: String) -> URL {
    URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        .deletingLastPathComponent().appendingPathComponent(name)
}

/// A child process whose output is drained while it runs, so that it never
/// blocks on a full pipe: the one way the tests run another program.
final class RunningChild: @unchecked Sendable {
    // Sound: `output` and `errors` are written by the reader threads and read
    // only after `finish()` has joined them through `done`.
    let process = Process()
    private var output = Data()
    private var errors = Data()
    private let done = DispatchGroup()

    /// Starts `executable`: a path, or the name of a program built beside
    /// the tests (`acct`, `cellar`, `CellarTestChild`).
    init(executable: String, arguments: [String], environment: [String: String]? = nil, input: Data? = nil,
         currentDirectory: String? = nil) throws {
        process.executableURL = executable.hasPrefix("/") ? URL(fileURLWithPath: executable) : builtExecutable(executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        if let currentDirectory { process.currentDirectoryURL = URL(fileURLWithPath: currentDirectory) }
        let outPipe = Pipe()
        let errPipe = Pipe()
        process.standardOutput = outPipe
        process.standardError = errPipe
        let inPipe = Pipe()
        process.standardInput = input == nil ? FileHandle.nullDevice : inPipe
        try process.run()
        if let input {
            inPipe.fileHandleForWriting.write(input)
            try inPipe.fileHandleForWriting.close()
        }
        done.enter()
        done.enter()
        DispatchQueue.global().async {
            self.output = outPipe.fileHandleForReading.readDataToEndOfFile()
            self.done.leave()
        }
        DispatchQueue.global().async {
            self.errors = errPipe.fileHandleForReading.readDataToEndOfFile()
            self.done.leave()
        }
    }

    /// Sends SIGKILL: the process ends at once, wherever it is.
    func kill() {
        Foundation.kill(process.processIdentifier, SIGKILL)
    }

    /// Waits for the process to end and returns what it printed.
    func finish() -> ChildResult {
        process.waitUntilExit()
        done.wait()
        return ChildResult(
            status: process.terminationStatus,
            stdout: String(decoding: output, as: UTF8.self),
            stderr: String(decoding: errors, as: UTF8.self))
    }
}

/// Runs `sql` with the sqlite3 C API on the file at `path` and returns the
/// first column of every row as text: how the tests look at a store from
/// outside Cellar.
func sqliteRows(_ path: String, _ sql: String) throws -> [String] {
    try RawDatabase(path: path).rows(sql)
}

/// The schema version this build gives a SQLite store.
let latestSchemaVersion = Backend.sqlite.latestSchemaVersion

/// Polls `condition` until it holds; fails the test after `seconds`.
func waitUntil(seconds: Double = 20, sourceLocation: SourceLocation = #_sourceLocation, _ condition: () throws -> Bool) throws {
    let deadline = Date().addingTimeInterval(seconds)
    while try !condition() {
        guard Date() < deadline else {
            Issue.record("waited \(seconds) s in vain", sourceLocation: sourceLocation)
            return
        }
        Thread.sleep(forTimeInterval: 0.01)
    }
}
