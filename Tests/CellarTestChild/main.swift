// The child process that Cellar's restart, crash and concurrency tests start.
//
// STORE is a file's path or a postgresql:// URL.
//
//   CellarTestChild STORE counter KEY COUNT [full|normal [BUSY_TIMEOUT_MS]]
//       increments counter KEY COUNT times, printing each acknowledged value
//   CellarTestChild STORE steady-counter KEY COUNT
//       increments counter KEY until COUNT increments were acknowledged,
//       through lost connections: prints "ok VALUE" for each acknowledged
//       one, "maybe" for a connection lost while committing, "unchanged"
//       for a lost or refused connection that changed nothing; any other
//       error ends it with status 1
//   CellarTestChild STORE multiplier KEY COEFFICIENT CALLS
//       calls multiplier KEY CALLS times, printing each product
//   CellarTestChild STORE transfers TOTAL [full|normal]
//       forever: moves 1 from account "alice" to "bob" and counts the move in
//       counter "transfers", all in one transaction; prints the count after
//       each commit (the tests kill it with SIGKILL)
//   CellarTestChild STORE group-transfers TOTAL WRITERS [full|normal] [threads|tasks]
//       forever, on WRITERS threads (or tasks, with the async API) at once:
//       each moves 1 from "alice" to "bob" and counts the move in its own
//       counter "tINDEX", in one transaction; prints "INDEX COUNT" after
//       each commit (writers that meet share commits; the tests kill it
//       with SIGKILL)
//   CellarTestChild STORE balance NAME
//       prints the balance of bank account NAME
//   CellarTestChild STORE shuffle ACCOUNTS COUNT
//       COUNT transfers of 1 to 5 between random pairs of bank accounts
//       "0".."ACCOUNTS-1" (each opened with 1000), each in one transaction
//   CellarTestChild - examples FILE
//       runs the examples of FILE (README.md, or a DocC article such as
//       FromPythonClosures.md) in the current directory, where they create
//       their stores
//   CellarTestChild STORE watch SCOPE COUNT [AFTER]
//       watches SCOPE (store, factory:NAME, instance:FACTORY/KEY or
//       cell:FACTORY/KEY/NAME), after change AFTER if given, and prints
//       "NUMBER KIND INSTANCE CELL VALUE OPERATION" for each of COUNT
//       changes, then exits
//   CellarTestChild STORE totals ACCOUNTS READS
//       READS times, reads every balance in one `store.read`, alternately
//       through held closures and through `inspect`; prints each total
//
// Each printed line is written with one write(2) after the commit returned,
// so a line on stdout is an acknowledged change. Errors go to stderr, exit 1.

import Cellar
import CellarExamples
import Foundation

func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

func durability(_ argument: String?) -> Durability {
    argument == "full" ? .full : .normal
}

let arguments = CommandLine.arguments
guard arguments.count >= 3 else {
    FileHandle.standardError.write(Data("usage: CellarTestChild STORE COMMAND ...\n".utf8))
    exit(64)
}
let path = arguments[1]

do {
    switch arguments[2] {
    case "watch":
        let store = try Store.open(path)
        let scope = arguments[3].split(separator: ":", maxSplits: 1).map(String.init)
        let after = arguments.count > 5 ? Int(arguments[5]) : nil
        let changes: Changes = switch scope[0] {
        case "factory": store.changes(ofFactoryNamed: scope[1], after: after)
        case "instance": store.changes(of: try InstanceID(parsing: scope[1]), after: after)
        case "cell":
            store.changes(of: try InstanceID(parsing: String(scope[1][..<scope[1].lastIndex(of: "/")!])),
                          cell: String(scope[1][scope[1].index(after: scope[1].lastIndex(of: "/")!)...]), after: after)
        default: store.changes(after: after)
        }
        var remaining = Int(arguments[4])!
        guard remaining > 0 else { break }
        for try await change in changes {
            say("\(change.number) \(change.kind) \(change.instance) \(change.cell ?? "-") \(change.value?.description ?? "-") \(change.operation ?? "-")")
            remaining -= 1
            if remaining == 0 { break }
        }
    case "counter":
        let busyTimeout = arguments.count > 6 ? Duration.milliseconds(Int(arguments[6])!) : .seconds(5)
        let store = try Store.open(path, options: .init(
            durability: durability(arguments.count > 5 ? arguments[5] : nil), busyTimeout: busyTimeout))
        let next = try store.restore(counterFactory, key: arguments[3])
        for _ in 0..<Int(arguments[4])! {
            say(String(try next()))
        }
    case "steady-counter":
        let store = try Store.open(path)
        var next: (@Sendable () throws -> Int)?
        var acknowledged = 0
        while acknowledged < Int(arguments[4])! {
            do {
                if next == nil { next = try store.restore(counterFactory, key: arguments[3]) }
                say("ok \(try next!())")
                acknowledged += 1
            } catch StoreError.connectionLost(_, mayHaveCommitted: true) {
                say("maybe")
            } catch StoreError.connectionLost(_, mayHaveCommitted: false), StoreError.cannotConnect {
                say("unchanged")
                usleep(20_000)
            }
        }
    case "multiplier":
        let store = try Store.open(path)
        let multiplier = try store.restore(multiplierFactory(coefficient: Int(arguments[4])!), key: arguments[3])
        for _ in 0..<Int(arguments[5])! {
            say(String(try multiplier()))
        }
    case "transfers":
        let total = Int(arguments[3])!
        let store = try Store.open(path, options: .init(durability: durability(arguments.count > 4 ? arguments[4] : nil)))
        let alice = try store.restore(bankAccountFactory(initialBalance: total), key: "alice")
        let bob = try store.restore(bankAccountFactory(initialBalance: 0), key: "bob")
        let count = try store.restore(counterFactory, key: "transfers")
        say("ready")
        while true {
            let moved = try store.transaction {
                guard try alice.withdraw(1), try bob.deposit(1) else {
                    throw CocoaError(.featureUnsupported)  // alice is empty: the test ran too long
                }
                return try count()
            }
            say(String(moved))
        }
    case "group-transfers":
        let total = Int(arguments[3])!, threads = Int(arguments[4])!
        let store = try Store.open(path, options: .init(durability: durability(arguments.count > 5 ? arguments[5] : nil)))
        let alice = try store.restore(bankAccountFactory(initialBalance: total), key: "alice")
        let bob = try store.restore(bankAccountFactory(initialBalance: 0), key: "bob")
        let counters = try (0..<threads).map { try store.restore(counterFactory, key: "t\($0)") }
        let transfer: @Sendable (Int) throws -> Int = { index in
            guard try alice.withdraw(1), try bob.deposit(1) else { throw CocoaError(.featureUnsupported) }
            return try counters[index]()
        }
        let fail: @Sendable (any Error) -> Never = { error in
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            exit(1)
        }
        for index in 0..<threads {
            if arguments.count > 6 && arguments[6] == "tasks" {
                Task.detached {  // not the main actor's: the main thread sleeps below
                    do {
                        while true { say("\(index) \(try await store.transaction { try transfer(index) })") }
                    } catch { fail(error) }
                }
            } else {
                Thread {
                    do {
                        while true { say("\(index) \(try store.transaction { try transfer(index) })") }
                    } catch { fail(error) }
                }.start()
            }
        }
        while true { sleep(60) }
    case "balance":
        let store = try Store.open(path)
        guard let account = try store.restoreExisting(bankAccountFactory(initialBalance: 0), key: arguments[3]) else {
            FileHandle.standardError.write(Data("no account \(arguments[3])\n".utf8))
            exit(1)
        }
        say(String(try account.balance()))
    case "examples":
        guard let examples = DocumentationExamples.all.first(where: { $0.file == arguments[3] }) else {
            FileHandle.standardError.write(Data("no examples in \(arguments[3])\n".utf8))
            exit(64)
        }
        try await examples.run()
    case "shuffle":
        let store = try Store.open(path)
        let accounts = try (0..<Int(arguments[3])!).map { try store.restore(bankAccountFactory(initialBalance: 1000), key: String($0)) }
        for _ in 0..<Int(arguments[4])! {
            let from = accounts.randomElement()!, to = accounts.randomElement()!
            let amount = Int.random(in: 1...5)
            try store.transaction {
                guard try from.withdraw(amount) else { return }
                guard try to.deposit(amount) else { throw CocoaError(.featureUnsupported) }
            }
        }
    case "totals":
        let store = try Store.open(path)
        let keys = (0..<Int(arguments[3])!).map(String.init)
        let accounts = try keys.map { try store.restore(bankAccountFactory(initialBalance: 1000), key: $0) }
        var totals: [String] = []
        for read in 0..<Int(arguments[4])! {
            let total = try store.read {
                if read.isMultiple(of: 2) {
                    return try accounts.reduce(0) { $0 + (try $1.balance()) }
                }
                return try keys.reduce(0) { total, key in
                    let cell = try store.inspect(InstanceID(factory: "bank_account", key: key))?[cell: "balance"]
                    return total + (try cell?.decode(as: Int.self) ?? 0)
                }
            }
            totals.append(String(total))
        }
        say(totals.joined(separator: "\n"))
    default:
        FileHandle.standardError.write(Data("unknown command \(arguments[2])\n".utf8))
        exit(64)
    }
} catch {
    FileHandle.standardError.write(Data("\(error)\n".utf8))
    exit(1)
}
