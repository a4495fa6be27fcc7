import Cellar
import CellarExamples
import Foundation
import Testing

/// `Store.copy(to:)`: a whole store, history and snapshots, from any
/// backend to any other.
@Suite struct StoreCopyTests {
    @Test(arguments: Backend.all, Backend.all)
    func aStoreCopiesToAnyBackendWithItsHistoryAndSnapshots(from: Backend, to: Backend) throws {
        guard let source = try from.newLocation(), let target = try to.newLocation() else { return }
        let store = try populated(source)
        let copy = try target.open()
        try store.copy(to: copy)
        #expect(try copy.exportInstances().instances == store.exportInstances().instances)
        for id in try store.exportInstances().instances.map(\.id) {
            #expect(try copy.history(of: id, limit: .max) == store.history(of: id, limit: .max))
        }
        #expect(try copy.snapshots() == store.snapshots())
        // The copy works on its own: rewinds, reverts and counts on.
        try copy.rewind(InstanceID(factory: "bank_account", key: "main"), toSequence: 6)
        #expect(try copy.restore(bankAccountFactory(initialBalance: 0), key: "main").balance() == 25)
        #expect(try copy.restore(counterFactory, key: "visits")() == 1)
        #expect(throws: ImportError.self) { try store.copy(to: try target.open()) }
    }
}

extension StoreCopyTests {
    /// A store with history (some of it pruned) and two snapshots.
    private func populated(_ location: StoreLocationForTest) throws -> Store {
        let store = try location.open()
        let main = try store.restore(bankAccountFactory(initialBalance: 10), key: "main")
        let next = try store.restore(counterFactory, key: "visits")
        for amount in 1...5 { _ = try main.deposit(amount) }
        try store.snapshot(named: "early")
        _ = try next()
        try store.pruneHistory(keepingLast: 3)
        _ = try main.withdraw(4)
        try store.revert(toSnapshot: "early", only: .instance(InstanceID(factory: "counter", key: "visits")))
        return store
    }
}
