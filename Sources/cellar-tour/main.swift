// A tour of Cellar: the Python closures of the seeds, durable.
//
//   swift run cellar-tour [STORE]
//
// Run it twice: the second run continues where the first stopped, because
// every captured variable lives in STORE (default: cellar-tour.sqlite).

import Cellar
import CellarExamples
import Foundation

let path = CommandLine.arguments.count > 1 ? CommandLine.arguments[1] : "cellar-tour.sqlite"

do {
    let store = try Store(at: path)
    print("Store: \(path)\n")

    print("power_factory: the exponent is captured, and stored with the key")
    let square = try store.restore(powerFactory(exponent: 2), key: "square")
    let cube = try store.restore(powerFactory(exponent: 3), key: "cube")
    print("  square(4) = \(try square(4)), cube(2) = \(try cube(2))")

    print("create_counter: two keys, two independent counters")
    let counter1 = try store.restore(counterFactory, key: "counter1")
    let counter2 = try store.restore(counterFactory, key: "counter2")
    print("  counter1: \(try counter1()), \(try counter1()); counter2: \(try counter2()); counter1: \(try counter1())")

    print("bank_account: three closures, one balance")
    let account = try store.restore(bankAccountFactory(initialBalance: 100), key: "tour")
    print("  balance \(try account.balance())", terminator: "")
    _ = try account.deposit(50)
    print(", after depositing 50: \(try account.balance())", terminator: "")
    _ = try account.withdraw(75)
    print(", after withdrawing 75: \(try account.balance())")
    let refused = try account.withdraw(1_000)
    print("  withdrawing 1000 \(refused ? "succeeded" : "was refused"); balance \(try account.balance())")

    print("make_multiplier(3): the product accumulates")
    let multiplier3 = try store.restore(multiplierFactory(coefficient: 3), key: "multiplier3")
    print("  \(try multiplier3()), \(try multiplier3()), \(try multiplier3())")

    print("create_task_manager: a list in a cell")
    let manager = try store.restore(taskManagerFactory, key: "tour")
    _ = try manager.clear()
    _ = try manager.add(PlannedTask(name: "Task 1", priority: 5))
    print("  \(try manager.add(PlannedTask(name: "Task 2", priority: 9)))")
    print("  high priority: \(try manager.highPriority())")

    print("__closure__: inspecting multiplier/multiplier3 without calling it")
    if let inspection = try store.inspect(InstanceID(factory: "multiplier", key: "multiplier3")) {
        for cell in inspection.cells {
            print("  \(cell.name): \(cell.typeName) = \(cell.value)")
        }
    }
    print("\nRun it again: the counters and the product go on from here.")
} catch {
    FileHandle.standardError.write(Data("Error: \(error)\n".utf8))
    exit(1)
}
