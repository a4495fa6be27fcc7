import Foundation
import Testing

/// The PostgreSQL server the tests use, found once per test run:
/// `CELLAR_TEST_POSTGRES_URL` when it is set; otherwise a throwaway server
/// the suite starts itself in a temporary folder, when PostgreSQL's server
/// programs are installed (as the `postgres` user when the tests run as
/// root), stopped when the tests end; otherwise none, with the reason.
///
/// `CELLAR_TEST_POSTGRES=required` (as `.ci/run` sets it) turns "none" into
/// a failure instead of a skip.
enum TestPostgres {
    /// A libpq URL for the server, or why there is none.
    static let server: Result<String, Unavailable> = findServer()

    struct Unavailable: Error, CustomStringConvertible {
        let description: String
    }

    /// Whether the PostgreSQL tests must run: a missing server then fails them.
    static let isRequired = ProcessInfo.processInfo.environment["CELLAR_TEST_POSTGRES"] == "required"

    /// The server's URL; records a failure and returns nil when there is
    /// none and the tests are required, returns nil alone otherwise.
    static func url(sourceLocation: SourceLocation = #_sourceLocation) -> String? {
        switch server {
        case .success(let url):
            return url
        case .failure(let reason):
            if isRequired {
                Issue.record("CELLAR_TEST_POSTGRES=required, but there is no PostgreSQL server: \(reason)", sourceLocation: sourceLocation)
            } else {
                _ = skipNotice
            }
            return nil
        }
    }

    /// Says once, on standard error, that the PostgreSQL cases are skipped and why.
    private static let skipNotice: Void = {
        if case .failure(let reason) = server {
            FileHandle.standardError.write(Data("Skipping the PostgreSQL tests: \(reason).\n".utf8))
        }
    }()

    private static func findServer() -> Result<String, Unavailable> {
        if let url = ProcessInfo.processInfo.environment["CELLAR_TEST_POSTGRES_URL"], !url.isEmpty {
            return .success(url)
        }
        guard let bin = serverPrograms() else {
            return .failure(Unavailable(description:
                "PostgreSQL's server programs are not installed; install postgresql or set CELLAR_TEST_POSTGRES_URL to run the PostgreSQL tests"))
        }
        do {
            return .success(try startThrowawayServer(bin: bin))
        } catch {
            return .failure(Unavailable(description: "the throwaway PostgreSQL server did not start: \(error)"))
        }
    }

    /// The folder of `initdb` and `pg_ctl`: Debian keeps them per version.
    static func serverPrograms() -> String? {
        let root = "/usr/lib/postgresql"
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        return versions.compactMap(Int.init).sorted().reversed().map { "\(root)/\($0)/bin" }
            .first { FileManager.default.isExecutableFile(atPath: "\($0)/pg_ctl") }
    }

    /// The shared throwaway server, for the stop at exit.
    nonisolated(unsafe) private static var sharedServer: ThrowawayServer?

    private static func startThrowawayServer(bin: String) throws -> String {
        let server = try ThrowawayServer(bin: bin)
        sharedServer = server
        atexit {
            TestPostgres.sharedServer?.stop()
        }
        return server.url
    }

    /// A server of the calling test's own, which it may restart: nil, with
    /// the reason recorded when the PostgreSQL tests are required, when the
    /// server programs are not installed.
    static func privateServer(sourceLocation: SourceLocation = #_sourceLocation) throws -> ThrowawayServer? {
        guard let bin = serverPrograms() else {
            let reason = "PostgreSQL's server programs are not installed: this test starts and restarts a server of its own"
            if isRequired { Issue.record(Comment(rawValue: reason), sourceLocation: sourceLocation) }
            return nil
        }
        return try ThrowawayServer(bin: bin)
    }

    static func asUser(_ command: [String]) -> [String] {
        getuid() == 0 ? ["/usr/sbin/runuser", "-u", "postgres", "--"] + command : command
    }

    /// Runs `command` to its end with its output in `folder/commands.log`.
    ///
    /// Not with Foundation's `Process`: `pg_ctl start` leaves a server
    /// running behind it, and `Process` was seen never to notice that
    /// `pg_ctl` itself had exited.
    static func run(_ command: [String], log: String = FileManager.default.temporaryDirectory.path + "/cellar-pg-commands.log") throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let arguments = command.map { strdup($0) } + [nil]
        defer { arguments.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, command[0], &actions, nil, arguments, environ)
        guard spawned == 0 else {
            throw Unavailable(description: "\(command[0]) could not start: \(String(cString: strerror(spawned)))")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        guard status == 0 else {
            let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            throw Unavailable(description: "\(command.joined(separator: " ")) failed (status \(status)): \(output.suffix(600))")
        }
    }
}

/// A PostgreSQL server in a temporary folder, reachable only through a
/// socket there, without fsync (the tests do not cut power): started by
/// `init`, stopped by ``stop()``.
final class ThrowawayServer: Sendable {
    let folder: String
    let url: String
    private let bin: String
    private var data: String { folder + "/data" }

    init(bin: String) throws {
        self.bin = bin
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("cellar-pg-\(UUID().uuidString.prefix(8))").path
        url = "postgresql:///postgres?host=\(folder)&user=cellar"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        if getuid() == 0 {
            // The server refuses to run as root: it runs as `postgres`.
            try TestPostgres.run(["/bin/chown", "postgres", folder])
        }
        try TestPostgres.run(TestPostgres.asUser(["\(bin)/initdb", "-D", data, "-A", "trust", "-U", "cellar", "-E", "UTF8", "--locale=C", "--no-sync"]))
        try start()
    }

    func start() throws {
        try TestPostgres.run(TestPostgres.asUser([
            "\(bin)/pg_ctl", "-D", data, "-l", folder + "/server.log", "-w", "-o",
            "-k \(folder) -c listen_addresses='' -c fsync=off -c full_page_writes=off -c max_connections=200", "start",
        ]))
    }

    /// Stops the server the way an administrator's restart does: every
    /// connection is cut (`-m fast`).
    func stopFast() throws {
        try TestPostgres.run(TestPostgres.asUser(["\(bin)/pg_ctl", "-D", data, "-m", "fast", "-w", "stop"]))
    }

    /// Stops the server at once and removes its folder.
    func stop() {
        try? TestPostgres.run(TestPostgres.asUser(["\(bin)/pg_ctl", "-D", data, "-m", "immediate", "stop"]))
        try? FileManager.default.removeItem(atPath: folder)
    }
}
