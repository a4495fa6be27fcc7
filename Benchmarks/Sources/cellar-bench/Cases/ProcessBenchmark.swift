import Foundation

/// A whole `acct deposit main 1` process against the `sqlite3` shell making
/// the same change to the same file: what a user of the command line waits for.
struct ProcessBenchmark {
    let workspace: Workspace
    let workload: Workload
    /// Which build of `acct` to time.
    let build: Build
    /// An `acct` to use instead of building one.
    let acctPath: String?

    /// The builds the README installs, or for `--quick` the debug build
    /// `swift test` has made.
    enum Build {
        case debug
        /// Without the PostgreSQL trait: `-static-executable`.
        case fullyStatic
        /// With it, the default: `-static-stdlib`, libpq and glibc shared.
        case withPostgreSQL

        var name: String {
            switch self {
            case .debug: "debug"
            case .fullyStatic: "release, fully static, SQLite only"
            case .withPostgreSQL: "release, with PostgreSQL: libpq shared"
            }
        }

        /// `swift build`'s flags for this build, with a build folder of its
        /// own for each release build (their flags differ from the main build's).
        func flags(root: String) -> [String] {
            switch self {
            case .debug: ["-c", "debug"]
            case .fullyStatic: ["-c", "release", "--disable-default-traits", "-Xswiftc", "-static-executable",
                                "--scratch-path", root + "/Benchmarks/.build/static-tools"]
            case .withPostgreSQL: ["-c", "release", "-Xswiftc", "-static-stdlib", "--scratch-path", root + "/Benchmarks/.build/postgresql-tools"]
            }
        }
    }

    func run() throws -> BenchmarkResult {
        let acct = try acctPath ?? buildAcct()
        guard let sqlite3 = executableInPath("sqlite3") else {
            throw BenchmarkFailure("this case needs the sqlite3 shell: apt-get install -y sqlite3")
        }
        let store = workspace.newPath("acct")
        let environment = ["CELLAR_STORE": store]
        _ = try spawn([acct, "open", "main"], environment: environment)
        // The balance's current value is its newest row; both commit with synchronous=FULL, as acct does.
        let update = """
            PRAGMA synchronous = FULL;
            UPDATE cell_versions SET value = value + 100 WHERE name = 'balance'
              AND instance_id = (SELECT id FROM instances WHERE factory = 'account' AND key = 'main')
              AND seq = (SELECT max(seq) FROM cell_versions WHERE name = 'balance'
                AND instance_id = (SELECT id FROM instances WHERE factory = 'account' AND key = 'main'));
            """
        var acctTimes = Samples(), shellTimes = Samples()
        for round in 0..<workload.acctRuns {
            try runRotated([
                { acctTimes.append(Double(try spawn([acct, "deposit", "main", "1"], environment: environment))) },
                { shellTimes.append(Double(try spawn([sqlite3, store, update], environment: environment))) },
            ], round: round)
        }
        let balance = try ChildProcess.start(["balance", "main"], executable: acct, environment: environment).waitForOutput()
        try expectExact(balance, "\(2 * workload.acctRuns).00", "the balance after the deposits and updates")
        return BenchmarkResult(
            name: "one acct deposit process (\(build.name))", unit: .nanosecondsPerOperation,
            measured: acctTimes, floor: shellTimes,
            floorName: "the sqlite3 shell running the same UPDATE, synchronous=FULL", peer: nil, target: .ratio(1.5))
    }

    /// Builds `acct` in the repository this benchmark package sits in.
    private func buildAcct() throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        guard let swift = executableInPath("swift") else { throw BenchmarkFailure("swift is not on PATH") }
        let build = [swift, "build", "--package-path", root] + self.build.flags(root: root)
        _ = try spawn(build + ["--product", "acct"], quiet: false)
        return try ChildProcess.start(Array(build.dropFirst()) + ["--show-bin-path"], executable: swift).waitForOutput() + "/acct"
    }
}

private func executableInPath(_ name: String) -> String? {
    let folders = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
    return folders.map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
}

/// Runs `arguments` with `environment` added to ours (replacing what ours
/// has of the same names), output discarded unless `quiet` is false;
/// returns its wall time in nanoseconds. Uses posix_spawn and waitpid
/// directly, so that the timing holds no run-loop polling.
private func spawn(_ arguments: [String], environment: [String: String] = [:], quiet: Bool = true) throws -> Int64 {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    if quiet {
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    }
    let merged = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    let argv = arguments.map { strdup($0) } + [nil]
    let envp = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer { (argv + envp).forEach { free($0) } }
    var pid: pid_t = 0
    let start = monotonicNanoseconds()
    let code = posix_spawn(&pid, arguments[0], &actions, nil, argv, envp)
    guard code == 0 else { throw BenchmarkFailure("cannot start \(arguments[0]): error \(code)") }
    var status: Int32 = 0
    waitpid(pid, &status, 0)
    let elapsed = monotonicNanoseconds() - start
    guard status == 0 else { throw BenchmarkFailure("\(arguments.joined(separator: " ")) failed (status \(status))") }
    return elapsed
}
