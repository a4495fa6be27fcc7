import Foundation
import Testing

/// `cellar watch` and `acct watch`, end to end, against changes made by
/// other processes; both end when the reader of their output goes.
@Suite(.timeLimit(.minutes(2)))
struct WatchToolTests {
    /// Runs `pipeline` with `sh -c`, with the built tools first on PATH.
    private func shell(_ sandbox: ToolSandbox, _ pipeline: String) throws -> RunningChild {
        var environment = sandbox.environment
        environment["PATH"] = builtExecutable("cellar").deletingLastPathComponent().path + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
        return try RunningChild(executable: "/bin/sh", arguments: ["-c", pipeline], environment: environment)
    }

    @Test(arguments: Backend.all)
    func cellarWatchPrintsChangesInOrderAndEndsWhenItsReaderGoes(backend: Backend) throws {
        guard let sandbox = try ToolSandbox(backend: backend) else { return }
        #expect(try sandbox.run("acct", "open", "main", "--initial", "100").status == 0)
        let watch = try shell(sandbox, "cellar watch account --after 0 | head -4")
        for _ in 0..<2 { #expect(try sandbox.run("acct", "deposit", "main", "1").status == 0) }
        let result = watch.finish()  // returns: head took its lines, and cellar saw its pipe close
        #expect(result.status == 0, "\(result.stderr)")
        // Opening creates the balance at 0, then sets it.
        #expect(result.lines.map { $0.components(separatedBy: "Z  ").last } == [
            "account/main  open  balance = 0", "account/main  open  balance = 10000",
            "account/main  deposit  balance = 10100", "account/main  deposit  balance = 10200",
        ])
        let numbers = result.lines.map { Int($0.split(separator: " ")[0].dropFirst())! }
        #expect(numbers == numbers.sorted() && Set(numbers).count == 4)
    }

    @Test(arguments: Backend.all)
    func cellarWatchPrintsJSONAndResumesAfterANumber(backend: Backend) throws {
        guard let sandbox = try ToolSandbox(backend: backend) else { return }
        #expect(try sandbox.run("acct", "open", "main").status == 0)
        for _ in 0..<3 { #expect(try sandbox.run("acct", "deposit", "main", "2").status == 0) }
        let all = try shell(sandbox, "cellar watch account/main --json --after 0 | head -4").finish()
        let objects = try all.lines.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        #expect(objects.map { $0["value"] as? String } == ["0", "200", "400", "600"])
        #expect(objects.allSatisfy { $0["instance"] as? String == "account/main" && $0["kind"] as? String == "set" })
        let second = objects[1]["number"] as! Int
        let resumed = try shell(sandbox, "cellar watch account/main --json --after \(second) | head -2").finish()
        #expect(resumed.lines.map { (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["value"] as? String } == ["400", "600"])
    }

    @Test(arguments: Backend.all)
    func acctWatchPrintsLedgerLinesAsTheyHappen(backend: Backend) throws {
        guard let sandbox = try ToolSandbox(backend: backend) else { return }
        #expect(try sandbox.run("acct", "open", "main", "--initial", "10").status == 0)
        let watch = try shell(sandbox, "acct watch main | head -2")
        Thread.sleep(forTimeInterval: 2)  // the watch starts from now
        #expect(try sandbox.run("acct", "deposit", "main", "5").status == 0)
        #expect(try sandbox.run("acct", "withdraw", "main", "2.50").status == 0)
        let result = watch.finish()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.lines.count == 2)
        #expect(result.lines.first?.hasSuffix("main  deposit  +5.00  15.00") == true, "\(result.lines)")
        #expect(result.lines.last?.hasSuffix("main  withdraw  -2.50  12.50") == true)
    }

    @Test(arguments: Backend.all)
    func acctWatchOfAnUnknownAccountIsRefused(backend: Backend) throws {
        guard let sandbox = try ToolSandbox(backend: backend) else { return }
        #expect(try sandbox.run("acct", "open", "main").status == 0)
        let result = try sandbox.run("acct", "watch", "mian")
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("Error: No account named 'mian'. Did you mean 'main'?"))
    }

    @Test(arguments: ["cellar", "acct"])
    func ctrlCEndsAWatchAtOnceLeavingTheStoreUsable(tool: String) throws {
        let sandbox = try ToolSandbox()
        #expect(try sandbox.run("acct", "open", "main").status == 0)
        let watch = try sandbox.start(tool, ["watch"])
        Thread.sleep(forTimeInterval: 1.5)
        #expect(watch.process.isRunning)
        kill(watch.process.processIdentifier, SIGINT)
        let result = watch.finish()
        #expect(watch.process.terminationReason == .exit && result.status == 130, "\(result.status) \(result.stderr)")
        #expect(result.stderr.isEmpty)
        #expect(try sandbox.run("acct", "deposit", "main", "1").status == 0)
    }
}
