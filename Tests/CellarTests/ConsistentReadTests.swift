@testable import Cellar
import CellarExamples
import Foundation
import Testing

/// `store.read { }`: several values read as one committed state, without
/// blocking writers, and never a write inside.
@Suite struct ConsistentReadTests {
    /// Other processes transfer money between accounts while one process
    /// reads every balance, again and again: every total must be the one
    /// money is conserved at. Reading each balance on its own saw totals
    /// that never existed (a transfer committed between two reads).
    @Test(arguments: Backend.all) func readsSeeOneCommittedStateWhileOtherProcessesTransfer(backend: Backend) throws {
        guard let location = try backend.newLocation() else { return }
        let accounts = 4
        // Open the accounts before anyone transfers.
        #expect(try Child.run([location.value, "totals", String(accounts), "1"]).status == 0)
        let writers = try (0..<3).map { _ in try Child.start([location.value, "shuffle", String(accounts), "600"]) }
        let reader = try Child.start([location.value, "totals", String(accounts), "3000"])
        let read = reader.finish()
        for writer in writers {
            let result = writer.finish()
            #expect(result.status == 0, "a writer failed: \(result.stderr)")
        }
        #expect(read.status == 0, "the reader failed: \(read.stderr)")
        #expect(read.lines.count == 3000)
        let wrong = read.lines.filter { $0 != String(1000 * accounts) }
        #expect(wrong.isEmpty, "\(wrong.count) of \(read.lines.count) totals were not \(1000 * accounts), e.g. \(wrong.prefix(3))")
        let store = try location.open()
        #expect(try store.read { try (0..<accounts).map { try store.inspect(InstanceID(factory: "bank_account", key: String($0)))! } }
            .map { try $0[cell: "balance"]!.decode(as: Int.self) }.reduce(0, +) == 1000 * accounts)
    }

    /// The same through the tool: `acct list --json` while `acct transfer` runs.
    @Test(arguments: Backend.all) func acctListShowsExactTotalsWhileTransfersRun(backend: Backend) throws {
        let sandbox = try ToolSandbox()
        _ = try sandbox.run("acct", "open", "a", "--initial", "1000")
        _ = try sandbox.run("acct", "open", "b", "--initial", "1000")
        // A shell loop of transfers, as the reproduction runs it.
        let script = """
            for i in $(seq 150); do "$ACCT" transfer a b 1 >/dev/null || exit 1; "$ACCT" transfer b a 1 >/dev/null || exit 1; done
            """
        var environment = sandbox.environment
        environment["ACCT"] = builtExecutable("acct").path
        let loop = try RunningChild(executable: "/bin/sh", arguments: ["-c", script], environment: environment)
        var totals: [Int] = []
        while loop.process.isRunning || totals.count < 20 {
            let list = try sandbox.run("acct", "list", "--json")
            #expect(list.status == 0, "\(list.stderr)")
            let accounts = try JSONDecoder().decode([[String: String]].self, from: Data(list.stdout.utf8))
            totals.append(accounts.compactMap { $0["balance"].flatMap(Double.init) }.map { Int(($0 * 100).rounded()) }.reduce(0, +))
            if totals.count >= 400 { break }
        }
        #expect(loop.finish().status == 0)
        #expect(totals.allSatisfy { $0 == 200_000 }, "totals seen: \(Set(totals))")
    }

    @Test(arguments: Backend.all) func aWriteInsideAReadIsRefusedAndChangesNothing(backend: Backend) throws {
        guard let location = try backend.newLocation() else { return }
        let store = try location.open()
        let next = try store.restore(counterFactory, key: "visits")
        #expect(try next() == 1)
        let before = try location.storedState()
        #expect(throws: StoreError.writeInsideRead(path: location.value)) { try store.read { try next() } }
        #expect(throws: StoreError.writeInsideRead(path: location.value)) { try store.read { try store.transaction { 0 } } }
        #expect(throws: StoreError.writeInsideRead(path: location.value)) { try store.read { try store.restore(counterFactory, key: "other") } }
        // Inside a transaction too: a read stays a read.
        #expect(throws: StoreError.writeInsideRead(path: location.value)) { try store.transaction { try store.read { try next() } } }
        #expect(try location.storedState() == before)
        #expect(StoreError.writeInsideRead(path: location.value).description
            == "A change to '\(location.value)' was attempted inside store.read { }, which only reads; make changes in store.transaction { } instead.")
        #expect(try next() == 2)
    }

    @Test(arguments: Backend.all) func aReadInsideATransactionSeesTheTransactionsOwnChanges(backend: Backend) throws {
        guard let location = try backend.newLocation() else { return }
        let store = try location.open()
        let account = try store.restore(bankAccountFactory(initialBalance: 10), key: "a")
        let seen = try store.transaction {
            _ = try account.deposit(5)
            return try store.read { (try account.balance(), try store.inspect(InstanceID(factory: "bank_account", key: "a"))) }
        }
        #expect(seen.0 == 15)
        #expect(try seen.1?[cell: "balance"]?.decode(as: Int.self) == 15)
    }

    /// A read holds no write lock: another process commits while it runs,
    /// and the read goes on seeing the state it began with.
    @Test(arguments: Backend.all) func aReadDoesNotBlockWritersAndKeepsItsState(backend: Backend) throws {
        guard let location = try backend.newLocation() else { return }
        let store = try location.open(.init(busyTimeout: .milliseconds(100)))
        let next = try store.restore(counterFactory, key: "shared")
        #expect(try next() == 1)
        let inspect = { try store.inspect(InstanceID(factory: "counter", key: "shared"))?[cell: "count"]?.decode(as: Int.self) }
        try store.read {
            #expect(try inspect() == 1)
            // The child waits at most 100 ms for a lock: it must not need to.
            let child = try Child.run([location.value, "counter", "shared", "3", "normal", "100"])
            #expect(child.status == 0, "\(child.stderr)")
            #expect(child.lines == ["2", "3", "4"])
            #expect(try inspect() == 1)
        }
        #expect(try inspect() == 4)
        #expect(try next() == 5)
    }
}
