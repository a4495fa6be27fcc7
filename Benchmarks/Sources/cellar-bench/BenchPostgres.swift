import Foundation

/// The PostgreSQL server the PostgreSQL cases run on: `CELLAR_BENCH_POSTGRES_URL`
/// when it is set; otherwise a server of the benchmark's own in a temporary
/// folder (fsync on, reachable only through a socket there, run as the
/// `postgres` user when the benchmark runs as root), stopped at exit;
/// otherwise none, and the cases are skipped, or fail when
/// `CELLAR_TEST_POSTGRES=required` (as CI sets it).
enum BenchPostgres {
    static let server: Result<String, BenchmarkFailure> = {
        if let url = ProcessInfo.processInfo.environment["CELLAR_BENCH_POSTGRES_URL"], !url.isEmpty {
            return .success(url)
        }
        let root = "/usr/lib/postgresql"
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        guard let bin = versions.compactMap(Int.init).sorted().reversed().map({ "\(root)/\($0)/bin" })
            .first(where: { FileManager.default.isExecutableFile(atPath: "\($0)/pg_ctl") }) else {
            return .failure(BenchmarkFailure(
                "PostgreSQL's server programs are not installed; install postgresql or set CELLAR_BENCH_POSTGRES_URL"))
        }
        do {
            return .success(try start(bin: bin))
        } catch let failure as BenchmarkFailure {
            return .failure(failure)
        } catch {
            return .failure(BenchmarkFailure("the benchmark's PostgreSQL server did not start: \(error)"))
        }
    }()

    static var isRequired: Bool { ProcessInfo.processInfo.environment["CELLAR_TEST_POSTGRES"] == "required" }

    /// The folder of the running server, for the stop at exit.
    nonisolated(unsafe) private static var running: (bin: String, data: String)?

    private static func start(bin: String) throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cellar-bench-pg-\(getpid())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        if getuid() == 0 { try run(["/bin/chown", "postgres", folder]) }
        let data = folder + "/data"
        try run(asServerUser(["\(bin)/initdb", "-D", data, "-A", "trust", "-U", "cellar", "-E", "UTF8", "--locale=C"]))
        try run(asServerUser(["\(bin)/pg_ctl", "-D", data, "-l", folder + "/server.log", "-w", "-o",
                              "-k \(folder) -c listen_addresses='' -c max_connections=100", "start"]))
        running = (bin, data)
        atexit {
            guard let (bin, data) = BenchPostgres.running else { return }
            try? BenchPostgres.run(BenchPostgres.asServerUser(["\(bin)/pg_ctl", "-D", data, "-m", "immediate", "stop"]))
            try? FileManager.default.removeItem(atPath: (data as NSString).deletingLastPathComponent)
        }
        return "postgresql:///postgres?host=\(folder)&user=cellar"
    }

    private static func asServerUser(_ command: [String]) -> [String] {
        getuid() == 0 ? ["/usr/sbin/runuser", "-u", "postgres", "--"] + command : command
    }

    /// Runs `command` to its end, its output discarded unless it fails.
    private static func run(_ command: [String]) throws {
        let log = FileManager.default.temporaryDirectory.path + "/cellar-bench-pg-\(getpid()).log"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let arguments = command.map { strdup($0) } + [nil]
        defer { arguments.forEach { free($0) } }
        var pid: pid_t = 0
        guard posix_spawn(&pid, command[0], &actions, nil, arguments, environ) == 0 else {
            throw BenchmarkFailure("\(command[0]) could not start")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        guard status == 0 else {
            let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            throw BenchmarkFailure("\(command.joined(separator: " ")) failed: \(output.suffix(400))")
        }
    }
}
