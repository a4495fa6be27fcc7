import ArgumentParser
import Cellar
import Foundation

@main
struct CellarBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cellar-bench",
        abstract: "Times Cellar against the raw SQLite C API and libpq (the floors) and GRDB, in the same run.",
        discussion: """
            Every case checks its results (counts, sums, balances) before it reports a time. \
            Exit status: 0 when every case ran exactly and met its target (or with --quick, which checks \
            results only), 1 when a target was missed, 2 when a result was wrong or a case failed.
            """,
        subcommands: [Suite.self, Child.self],
        defaultSubcommand: Suite.self)
}

/// The cases, by the name `--only` takes.
enum CaseGroup: String, CaseIterable, ExpressibleByArgument {
    case updates, writers, transaction, reads, concurrency, scale, process, postgresql, watch
}

struct Suite: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Runs the suite and prints the table.")

    @Flag(help: "A smoke test small enough for CI: every case runs and is checked, nothing is timed seriously.")
    var quick = false

    @Option(name: .customLong("json"), help: ArgumentHelp("Also write the results as JSON to this file.", valueName: "file"))
    var jsonPath: String?

    @Flag(help: "Also print the table as Markdown, for the README.")
    var markdown = false

    @Option(parsing: .upToNextOption, help: "Run only these groups of cases: \(CaseGroup.allCases.map(\.rawValue).joined(separator: ", ")).")
    var only: [CaseGroup] = CaseGroup.allCases

    @Option(help: ArgumentHelp("The acct executable to time, instead of building one.", valueName: "path"))
    var acct: String?

    func run() throws {
        let workload = quick ? Workload.quick : .full
        let workspace = try Workspace()
        var results: [BenchmarkResult] = []
        do {
            let updates = UpdateBenchmarks(workspace: workspace, workload: workload)
            let reads = ReadBenchmarks(workspace: workspace, workload: workload)
            for group in CaseGroup.allCases where only.contains(group) {
                let started = monotonicNanoseconds()
                switch group {
                case .updates:
                    results.append(try updates.durableUpdates(recordsHistory: false, durability: .normal))
                    results.append(try updates.durableUpdates(recordsHistory: true, durability: .normal))
                    results.append(try updates.durableUpdates(recordsHistory: false, durability: .full))
                case .writers:
                    results += try ConcurrentWriterBenchmarks(workspace: workspace, workload: workload).run()
                    results += try AsyncBenchmarks(workspace: workspace, workload: workload).awaitedUpdates()
                case .transaction:
                    results.append(try updates.updatesInOneTransaction())
                case .reads:
                    results.append(try reads.sharedReads())
                    results.append(try reads.readsFromMemory(insideTransaction: false))
                    results.append(try reads.readsFromMemory(insideTransaction: true))
                case .concurrency:
                    results += try ConcurrencyBenchmark(workspace: workspace, workload: workload).run()
                case .scale:
                    results += try ScaleBenchmarks(workspace: workspace, workload: workload).run()
                case .postgresql:
                    switch BenchPostgres.server {
                    case .success(let server):
                        results += try PostgreSQLBenchmarks(server: server, workload: workload).run()
                    case .failure(let reason) where BenchPostgres.isRequired:
                        throw BenchmarkFailure("CELLAR_TEST_POSTGRES=required, but there is no PostgreSQL server: \(reason)")
                    case .failure(let reason):
                        FileHandle.standardError.write(Data("Skipping the PostgreSQL cases: \(reason).\n".utf8))
                    }
                case .watch:
                    let server: String?
                    switch BenchPostgres.server {
                    case .success(let url): server = url
                    case .failure(let reason) where BenchPostgres.isRequired:
                        throw BenchmarkFailure("CELLAR_TEST_POSTGRES=required, but there is no PostgreSQL server: \(reason)")
                    case .failure: server = nil
                    }
                    results += try WatchBenchmarks(workspace: workspace, workload: workload, postgreSQLServer: server).run()
                case .process:
                    for build in quick ? [.debug] : [ProcessBenchmark.Build.fullyStatic, .withPostgreSQL] where acct == nil || build != .withPostgreSQL {
                        results.append(try ProcessBenchmark(workspace: workspace, workload: workload, build: build, acctPath: acct).run())
                    }
                }
                let seconds = Double(monotonicNanoseconds() - started) / 1e9
                FileHandle.standardError.write(Data(String(format: "%@: done in %.1f s\n", group.rawValue, seconds).utf8))
            }
        } catch let failure as BenchmarkFailure {
            FileHandle.standardError.write(Data("cellar-bench: \(failure.description)\n".utf8))
            throw ExitCode(2)
        }
        print(Report.table(results, judged: !quick))
        if markdown { print("\n" + Report.markdown(results, judged: !quick)) }
        if let jsonPath {
            try Report.json(results, judged: !quick).write(to: URL(fileURLWithPath: jsonPath))
        }
        if quick {
            print("\n--quick: every case ran and every result was exact; the times mean nothing.")
        } else if results.contains(where: { !$0.passed }) {
            throw ExitCode(1)
        }
    }
}

/// The child processes the suite starts; not for people.
struct Child: ParsableCommand {
    static let configuration = CommandConfiguration(
        shouldDisplay: false, subcommands: [ReadModifyWrite.self, PostgreSQLUpdates.self, Memory.self, Profile.self, Restores.self, Watch.self])

    /// Synchronous, like the root: an async root makes every child's main
    /// thread wait in dispatch, where valgrind (which profiles the children)
    /// cannot follow.
    struct Watch: ParsableCommand {
        @Option var store: String
        @Option var key: String
        @Option(name: .customLong("after-value")) var afterValue: Int
        @Option var count: Int
        @Option var mode: String
        @Option var ready: String

        func run() throws {
            let (store, key, afterValue, count, mode, ready) = (store, key, afterValue, count, mode, ready)
            let outcome = Outcome()
            let finished = DispatchSemaphore(value: 0)
            Task {
                do {
                    outcome.result = .success(try await WatchBenchmarks.childWatch(
                        store: store, key: key, afterValue: afterValue, count: count, mode: mode, ready: ready))
                } catch {
                    outcome.result = .failure(error)
                }
                finished.signal()
            }
            finished.wait()
            print(try outcome.result!.get())
        }

        /// `@unchecked Sendable`: written by the task before it signals, read after the wait.
        final class Outcome: @unchecked Sendable {
            var result: Result<String, any Error>?
        }
    }

    struct ReadModifyWrite: ParsableCommand {
        @Option var engine: String
        @Option var path: String
        @Option var count: Int
        @Option(name: .customLong("start-at")) var startAt: Int64

        func run() throws {
            guard let engine = ConcurrencyBenchmark.Engine(rawValue: engine) else { throw ValidationError("unknown engine") }
            print(try ConcurrencyBenchmark.childLoop(engine: engine, path: path, count: count, startAt: startAt))
        }
    }

    struct PostgreSQLUpdates: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "postgresql-updates")
        @Option var url: String
        @Option var key: String
        @Option var count: Int
        @Option(name: .customLong("start-at")) var startAt: Int64

        func run() throws {
            print(try PostgreSQLBenchmarks.childUpdates(url: url, key: key, count: count, startAt: startAt))
        }
    }

    struct Memory: ParsableCommand {
        @Option var path: String
        @Option var closures: Int

        func run() throws {
            print(try ScaleBenchmarks.childMemory(path: path, closures: closures))
        }
    }

    /// One operation in a loop, for a profiler: `valgrind --tool=callgrind
    /// cellar-bench child profile --operation update-without-history`.
    struct Profile: ParsableCommand {
        @Option var operation: ProfiledOperation
        @Option var count = 100_000

        func run() throws {
            let workspace = try Workspace()
            try operation.run(count: count, in: workspace)
        }
    }

    /// Random restores on a store `populate` made, for a profiler; populating
    /// a large store under one would take hours.
    struct Restores: ParsableCommand {
        @Option var path: String
        @Option var closures: Int
        @Option var count = 2_000
        @Flag var populate = false

        func run() throws {
            if populate {
                try ScaleBenchmarks.populateStore(at: path, closures: closures)
                return
            }
            let store = try Store(at: path, options: .init(access: .existingOnly))
            var random = SplitMix64(seed: 1)
            try ScaleBenchmarks.restoreRandomKeys(count, of: store, closures: closures, random: &random)
        }
    }
}
