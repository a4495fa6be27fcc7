import Cellar
import CellarExamples
import Foundation
import Testing

/// `Store.Options.sharing`: a store this process owns locks other processes
/// out, and still keeps every change and every rollback.
@Suite struct SharingTests {
    @Test func anExclusiveStoreLocksOtherProcessesOutUntilItCloses() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("store.sqlite")
        do {
            let owner = try Store(at: path, options: .init(sharing: .exclusive))
            let next = try owner.restore(counterFactory, key: "visits")
            #expect(try next() == 1)

            let lockedOut = try Child.run([path, "counter", "visits", "1", "normal", "200"])
            #expect(lockedOut.status == 1)
            #expect(lockedOut.stderr.contains("locked by another process"), "\(lockedOut.stderr)")
            #expect(lockedOut.lines.isEmpty)
            #expect(try next() == 2)
        }
        // The store and its closures are gone, and the file with them.
        let after = try Child.run([path, "counter", "visits", "1", "normal", "200"])
        #expect(after.status == 0, "\(after.stderr)")
        #expect(after.lines == ["3"])
    }

    @Test func anExclusiveStoreCannotOpenAFileAnotherConnectionHasOpen() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("store.sqlite")
        let shared = try Store(at: path)
        _ = try shared.restore(counterFactory, key: "visits")
        #expect(throws: StoreError.busy(path: path, timeoutMilliseconds: 100)) {
            try Store(at: path, options: .init(busyTimeout: .milliseconds(100), sharing: .exclusive))
        }
    }

    @Test func anExclusiveStoreReadsItsOwnChangesAndRollbacks() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("store.sqlite")
        do {
            let store = try Store(at: path, options: .init(sharing: .exclusive))
            let account = try store.restore(bankAccountFactory(initialBalance: 0), key: "main")
            #expect(try account.deposit(50))
            #expect(throws: (any Error).self) {
                try store.transaction {
                    #expect(try account.deposit(25))
                    #expect(try account.balance() == 75)
                    struct Abandoned: Error {}
                    throw Abandoned()
                }
            }
            #expect(try account.balance() == 50)
        }
        // Closed: another process sees what was committed, and nothing else.
        let reader = try Child.run([path, "balance", "main"])
        #expect(reader.status == 0, "\(reader.stderr)")
        #expect(reader.lines == ["50"])
    }
}
