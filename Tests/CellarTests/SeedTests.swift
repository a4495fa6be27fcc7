import Cellar
import CellarExamples
import Testing

/// Each Python example of the seeds, durable: it behaves as the Python
/// comments say, then survives a restart (a new Store on the same file, and
/// for the multiplier a new process).
@Suite struct SeedTests {
    @Test(arguments: Backend.all) func powerFactoryRestoresItsExponentWithTheKey(backend: Backend) throws {
        guard let location = try backend.newLocation() else { return }
        do {
            let store = try location.open()
            let square = try store.restore(powerFactory(exponent: 2), key: "square")
            let cube = try store.restore(powerFactory(exponent: 3), key: "cube")
            #expect(try square(4) == 16)
            #expect(try cube(2) == 8)
            // maker(N): f(3) == 9, f(4) == 16, and g = maker(3) leaves f alone.
            #expect(try square(3) == 9)
            #expect(try store.restore(powerFactory(exponent: 3), key: "g")(4) == 64)
            #expect(try square(4) == 16)
        }
        // After a restart the stored exponent wins over whatever is passed now.
        let store = try location.open()
        let square = try store.restore(powerFactory(exponent: 99), key: "square")
        #expect(try square(5) == 25)
        #expect(try store.inspect(InstanceID(factory: "power", key: "square"))?[cell: "exponent"]?.decode(as: Int.self) == 2)
    }

    @Test(arguments: Backend.all) func outerFunctionInstancesEachHaveTheirOwnCell(backend: Backend) throws {
        guard let location = try backend.newLocation() else { return }
        let store = try location.open()
        let addFive = try store.restore(adderFactory(x: 5), key: "add_five")
        let addTen = try store.restore(adderFactory(x: 10), key: "add_ten")
        #expect(try addFive(3) == 8)
        #expect(try addTen(7) == 17)
    }

    @Test(arguments: Backend.all) func countersAreIndependentAndKeepCounting(backend: Backend) throws {
        guard let location = try backend.newLocation() else { return }
        do {
            let store = try location.open()
            let counter1 = try store.restore(counterFactory, key: "counter1")
            #expect(try counter1() == 1)
            #expect(try counter1() == 2)
            let counter2 = try store.restore(counterFactory, key: "counter2")
            #expect(try counter2() == 1)
            #expect(try counter1() == 3)
        }
        let store = try location.open()
        #expect(try store.restore(counterFactory, key: "counter1")() == 4)
        #expect(try store.restore(counterFactory, key: "counter2")() == 2)
    }

    @Test(arguments: Backend.all) func bankAccountSharesOneBalanceAndRefusalsChangeNothing(backend: Backend) throws {
        guard let location = try backend.newLocation() else { return }
        do {
            let store = try location.open()
            let account = try store.restore(bankAccountFactory(initialBalance: 100), key: "main")
            #expect(try account.balance() == 100)
            #expect(try account.deposit(50))
            #expect(try account.balance() == 150)
            #expect(try account.withdraw(75))
            #expect(try account.balance() == 75)

            let before = try location.storedState()
            #expect(try account.withdraw(100) == false)
            #expect(try account.deposit(0) == false)
            #expect(try account.deposit(-5) == false)
            #expect(try account.withdraw(-5) == false)
            #expect(try account.balance() == 75)
            #expect(try location.storedState() == before, "a refused operation wrote to the store")
        }
        let store = try location.open()
        let account = try store.restore(bankAccountFactory(initialBalance: 100), key: "main")
        #expect(try account.balance() == 75)
    }

    @Test(arguments: Backend.all) func multiplierAccumulatesAndContinuesInANewProcess(backend: Backend) throws {
        guard let location = try backend.newLocation() else { return }
        let first = try Child.run([location.value, "multiplier", "multiplier3", "3", "3"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.lines == ["3", "9", "27"])
        let second = try Child.run([location.value, "multiplier", "multiplier3", "3", "1"])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.lines == ["81"])

        // multiplier3.__code__.co_freevars and __closure__[1].cell_contents
        let store = try location.open()
        let inspection = try #require(try store.inspect(InstanceID(factory: "multiplier", key: "multiplier3")))
        #expect(inspection.cells.map(\.name) == ["coefficient", "product"])
        #expect(try inspection.cells[1].decode(as: Int.self) == 81)
    }

    @Test(arguments: Backend.all) func taskManagerKeepsItsListAcrossRestarts(backend: Backend) throws {
        guard let location = try backend.newLocation() else { return }
        let task1 = PlannedTask(name: "Task 1", priority: 5)
        let task2 = PlannedTask(name: "Task 2", priority: 9)
        do {
            let manager = try location.open().restore(taskManagerFactory, key: "work")
            #expect(try manager.add(task1) == [task1])
            #expect(try manager.add(task2) == [task2, task1])
            #expect(try manager.highPriority() == [task2])
        }
        do {
            let manager = try location.open().restore(taskManagerFactory, key: "work")
            #expect(try manager.sorted() == [task2, task1])
            let task3 = PlannedTask(name: "Task 3", priority: 5)
            #expect(try manager.add(task3) == [task2, task1, task3], "equal priorities keep their order")
            #expect(try manager.remove(task1) == [task2, task3])
            #expect(throws: TaskManagerError.notFound(task1)) { try manager.remove(task1) }
            #expect(try manager.sorted() == [task2, task3], "a failed remove changes nothing")
        }
        do {
            let manager = try location.open().restore(taskManagerFactory, key: "work")
            #expect(try manager.sorted().count == 2)
            #expect(try manager.clear() == [])
        }
        let manager = try location.open().restore(taskManagerFactory, key: "work")
        #expect(try manager.sorted() == [])
        #expect(try manager.highPriority() == [])
    }
}

extension SeedTests {
    /// Every example type is `Sendable`: its closures run from the tasks of
    /// a task group, and the rules (no overdraft) hold under contention.
    @Test(arguments: Backend.all) func theExampleTypesWorkFromATaskGroup(backend: Backend) async throws {
        guard let location = try backend.newLocation() else { return }
        let store = try location.open()
        let account = try await store.restore(bankAccountFactory(initialBalance: 100), key: "shared")
        let next = try await store.restore(counterFactory, key: "tasks")
        let tripler = try await store.restore(multiplierFactory(coefficient: 3), key: "tasks")
        let square = try await store.restore(powerFactory(exponent: 2), key: "tasks")
        let addFive = try await store.restore(adderFactory(x: 5), key: "tasks")
        let manager = try await store.restore(taskManagerFactory, key: "tasks")
        let withdrawn = try await withThrowingTaskGroup(of: Int.self) { group in
            for task in 0..<20 {
                group.addTask {
                    _ = try next()
                    _ = try manager.add(PlannedTask(name: "t\(task)", priority: task % 10))
                    #expect(try square(task) == task * task)
                    #expect(try addFive(task) == task + 5)
                    if task < 4 { _ = try tripler() }
                    // 20 tasks try to take 10 each from 100: exactly 10 succeed.
                    return try account.withdraw(10) ? 10 : 0
                }
            }
            return try await group.reduce(0, +)
        }
        #expect(withdrawn == 100)
        #expect(try account.balance() == 0)
        #expect(try next() == 21)
        #expect(try tripler() == 243)
        #expect(try manager.sorted().count == 20)
    }
}
