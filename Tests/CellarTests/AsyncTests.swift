import Cellar
import CellarExamples
import Foundation
import Testing

/// The async API: tasks that never block a thread of the cooperative pool,
/// share commits, and are cancelled only before their change starts.
@Suite struct AsyncTests {
    private static let balanceFactory = Factory("balance") { cells in cells.cell("value", default: 0) }

    private struct AsyncAccount: Sendable {
        let balance: @Sendable () async throws -> Int
        let deposit: @Sendable (Int) async throws -> Void
        let withdraw: @Sendable (Int) async throws -> Bool
    }

    private static let asyncAccount = Factory("account") { cells in
        let balance = cells.cell("balance", default: 1_000)
        return AsyncAccount(
            balance: { try await balance.get() },
            deposit: { amount in try await balance.update { $0 += amount } },
            withdraw: { amount in
                try await balance.update { current in
                    guard amount <= current else { return false }
                    current -= amount
                    return true
                }
            })
    }

    @Test(arguments: Backend.all)
    func tasksAndThreadsUpdatingSharedAndDistinctCellsLoseNothing(backend: Backend) async throws {
        guard let location = try backend.newLocation() else { return }
        let store = try location.open()
        let shared = try await store.restore(Self.balanceFactory, key: "shared")
        let own = try await (0..<12).asyncMap { try await store.restore(Self.balanceFactory, key: "own-\($0)") }
        let before = try store.committedTransactions()
        // Eight tasks with the async API and four threads with the synchronous one, at once.
        let threads = Task {
            try await onThreadsOfTheirOwn(4) { index in
                for _ in 0..<100 {
                    try shared.update { $0 += 1 }
                    try own[8 + index].update { $0 += 1 }
                }
            }
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<8 {
                group.addTask {
                    for _ in 0..<100 {
                        try await shared.update { $0 += 1 }
                        try await own[index].update { $0 += 1 }
                    }
                }
            }
            try await group.waitForAll()
        }
        try await threads.value
        let reopened = try location.open()
        #expect(try await reopened.restore(Self.balanceFactory, key: "shared").get() == 1_200)
        for index in 0..<12 {
            #expect(try await reopened.restore(Self.balanceFactory, key: "own-\(index)").get() == 100)
        }
        if backend == .sqlite {
            let commits = try store.committedTransactions() - before
            #expect(commits < 2_400, "\(commits) commits for 2,400 updates: no task shared a commit")
        }
    }

    @Test(arguments: Backend.all)
    func asyncClosuresKeepTheOverdraftRule(backend: Backend) async throws {
        guard let location = try backend.newLocation() else { return }
        let store = try location.open()
        let account = try await store.restore(Self.asyncAccount, key: "main")
        let granted = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<16 {
                group.addTask {
                    var granted = 0
                    for _ in 0..<20 where try await account.withdraw(7) { granted += 1 }
                    return granted
                }
            }
            return try await group.reduce(0, +)
        }
        #expect(granted == 142)  // 1,000 / 7, whatever the interleaving
        #expect(try await account.balance() == 1_000 - 142 * 7)
        try await account.deposit(50)
        #expect(try await location.open().restore(Self.asyncAccount, key: "main").balance() == 1_000 - 142 * 7 + 50)
    }

    @Test(arguments: Backend.all)
    func aTransactionReadAndTheStoreCallsHaveAsyncTwins(backend: Backend) async throws {
        guard let location = try backend.newLocation() else { return }
        let store = try location.open()
        let alice = try await store.restore(bankAccountFactory(initialBalance: 100), key: "alice")
        let bob = try await store.restore(bankAccountFactory(initialBalance: 0), key: "bob")
        try await store.transaction(operation: "transfer") {
            guard try alice.withdraw(30), try bob.deposit(30) else { throw CocoaError(.featureUnsupported) }
        }
        #expect(try await store.read { try alice.balance() + bob.balance() } == 100)
        #expect(try await store.keys(of: "bank_account") == ["alice", "bob"])
        #expect(try await store.history(of: InstanceID(factory: "bank_account", key: "bob")).contains { $0.operation == "transfer" })
        try await store.snapshot(named: "before")
        _ = try bob.deposit(5)
        #expect(try await store.revert(toSnapshot: "before").changedInstances == 1)
        #expect(try bob.balance() == 30)
        #expect(try await store.inspect(InstanceID(factory: "bank_account", key: "bob")) != nil)
    }

    /// A task cancelled before its change starts gets CancellationError,
    /// and nothing changed: cancelled at once, and cancelled while it waits
    /// behind every worker thread of the store.
    @Test func aTaskCancelledBeforeItsChangeStartsChangesNothing() async throws {
        guard let location = try Backend.sqlite.newLocation() else { return }
        let store = try location.open(.init(busyTimeout: .seconds(20)))
        let cell = try await store.restore(Self.balanceFactory, key: "k")
        let cancelledAtOnce = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            try await cell.set(99)
        }
        await #expect(throws: CancellationError.self) { try await cancelledAtOnce.value }

        // Another connection holds the write lock: the store's 64 workers
        // all wait for it, and the next change waits for a worker.
        let holder = try await LockHolder(location: location, key: "held")
        let blocked = (0..<64).map { _ in Task { try await cell.update { $0 += 1 } } }
        try await Task.sleep(for: .milliseconds(300))
        let queued = Task { try await cell.set(1_000) }
        try await Task.sleep(for: .milliseconds(100))
        queued.cancel()
        try await holder.release()
        for task in blocked { try await task.value }
        await #expect(throws: CancellationError.self) { try await queued.value }
        #expect(try await cell.get() == 64)
        #expect(try await location.open().restore(Self.balanceFactory, key: "held").get() == 1)
    }

    /// Once a change has started it completes, even if its task is
    /// cancelled while it waits for another process's lock.
    @Test(arguments: Backend.all)
    func aChangeThatStartedCompletesWhenItsTaskIsCancelled(backend: Backend) async throws {
        guard let location = try backend.newLocation() else { return }
        let store = try location.open()
        let cell = try await store.restore(Self.balanceFactory, key: "k")
        let holder = try await LockHolder(location: location, key: "k")
        let task = Task { try await cell.update { $0 += 10 } }
        try await Task.sleep(for: .milliseconds(200))  // started: waiting for the lock
        task.cancel()
        try await holder.release()
        try await task.value
        #expect(try await location.open().restore(Self.balanceFactory, key: "k").get() == 11)
    }

    /// A task on the store's executor makes its calls right on the thread
    /// it runs on: an update's body runs inside the task. Handed off, the
    /// body runs in a job of the store's threads, outside any task. A task
    /// cancelled there still changes nothing.
    @Test(arguments: Backend.all)
    func aTaskOnTheStoresExecutorCallsTheStoreWithoutAHandOff(backend: Backend) async throws {
        guard let location = try backend.newLocation() else { return }
        let store = try location.open()
        let cell = try await store.restore(Self.balanceFactory, key: "k")
        let insideATask: @Sendable (inout Int) -> Bool = { value in
            value += 1
            return withUnsafeCurrentTask { $0 != nil }
        }
        #expect(try await Task(executorPreference: store.executor) { try await cell.update(insideATask) }.value)
        #expect(try await cell.update(insideATask) == false)
        let cancelled = Task(executorPreference: store.executor) {
            withUnsafeCurrentTask { $0?.cancel() }
            try await cell.update { $0 += 100 }
        }
        await #expect(throws: CancellationError.self) { try await cancelled.value }
        #expect(try await cell.get() == 2)
    }

    #if os(Linux)
    /// The threads that run async calls carry a name, for `top -H`, `perf`
    /// and debuggers.
    @Test func theStoresThreadsAreNamed() async throws {
        let folder = try TemporaryDirectory()
        let store = try Store(at: folder.path("named.sqlite"))
        let cell = try await store.restore(Self.balanceFactory, key: "k")
        let threadName = try await cell.update { _ in
            (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? ""
        }
        #expect(threadName == "cellar-worker\n")
    }
    #endif

    /// Tasks on an executor of one thread: while one waits for another
    /// connection's lock, the other still runs. A call that blocked its
    /// thread would hold up the second task until the lock was released.
    @Test(arguments: Backend.all)
    func noCallBlocksAThreadOfItsExecutor(backend: Backend) async throws {
        guard let location = try backend.newLocation() else { return }
        let store = try location.open()
        let cell = try await store.restore(Self.balanceFactory, key: "k")
        // Through a store of its own: on SQLite this store's connection is
        // busy with the waiting update (one connection serves its calls in turn).
        let other = try await location.open().restore(Self.balanceFactory, key: "other")
        let holder = try await LockHolder(location: location, key: "k")
        let executor = OneThreadExecutor()
        let clock = Counter()
        let waiting = Task(executorPreference: executor) {
            try await cell.update { $0 += 1 }
            clock.add(1)
            return clock.value
        }
        let reading = Task(executorPreference: executor) {
            for _ in 0..<20 { _ = try await other.get() }
            clock.add(1)
            return clock.value
        }
        #expect(try await reading.value == 1, "the reads finished only after the blocked update")
        try await holder.release()
        #expect(try await waiting.value == 2)
        executor.stop()
        #expect(try await cell.get() == 2)
    }
}

/// Another connection that holds the write lock (on PostgreSQL, instance
/// `key`'s lock) in a transaction that adds 1 to `key`'s balance, on a
/// thread of its own, until released.
private final class LockHolder: Sendable {
    private let release = DispatchSemaphore(value: 0)
    private let outcome: Task<Void, any Error>

    init(location: StoreLocationForTest, key: String) async throws {
        let store = try location.open()
        let cell = try await store.restore(Factory("balance") { cells in cells.cell("value", default: 0) }, key: key)
        let release = self.release
        let holding = Counter()
        outcome = Task {
            try await onThreadsOfTheirOwn(1) { _ in
                try store.transaction {
                    try cell.update { $0 += 1 }
                    holding.add(1)
                    release.wait()
                }
            }
        }
        while holding.value == 0 { try await Task.sleep(for: .milliseconds(5)) }
    }

    /// Lets the transaction commit, and waits until it has.
    func release() async throws {
        release.signal()
        try await outcome.value
    }
}

/// ``onThreads(_:_:)`` for async code: waits suspended, not blocking a
/// thread of the cooperative pool; throws the first failure.
func onThreadsOfTheirOwn(_ count: Int, _ body: @escaping @Sendable (Int) throws -> Void) async throws {
    let failures: [String] = try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try onThreads(count, body) }) }.start()
    }
    if let failure = failures.first { throw ThreadFailure(description: failure) }
}

struct ThreadFailure: Error, CustomStringConvertible {
    let description: String
}

/// An executor with one thread: a task that blocked it would stop every
/// other task that prefers it.
final class OneThreadExecutor: TaskExecutor, @unchecked Sendable {
    // `@unchecked Sendable`: `jobs` is touched only under `condition`.
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var stopped = false

    init() {
        let thread = Thread { [self] in run() }
        thread.start()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    /// Ends the thread once the jobs queued so far have run.
    func stop() {
        condition.lock()
        stopped = true
        condition.signal()
        condition.unlock()
    }

    private func run() {
        while true {
            condition.lock()
            while jobs.isEmpty && !stopped { condition.wait() }
            if jobs.isEmpty {
                condition.unlock()
                return
            }
            let job = jobs.removeFirst()
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}

extension Sequence {
    /// `map` with an async transform, in order.
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
