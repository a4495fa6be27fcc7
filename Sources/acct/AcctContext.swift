import Cellar
import CellarCLI

/// What every `acct` command's work needs: the store and the output format.
struct AcctContext {
    let store: StoreLocation
    let json: Bool

    /// The store for a command that changes money: created if missing,
    /// every commit flushed to disk.
    func openForWriting() throws -> Ledger {
        Ledger(store: try store.open(.createIfMissing, durability: .full))
    }

    /// The store for a command that only reads; nil if there is none yet.
    func openForReading() throws -> Ledger? {
        do {
            return Ledger(store: try store.open(.readOnly))
        } catch StoreError.missing {
            return nil
        }
    }

    /// Prints an account's balance: `main: 150.00`, or its JSON.
    func printBalance(of name: String, _ balance: Money) throws {
        if json {
            try Output.json(AccountJSON(name, balance))
        } else {
            Output.line("\(name): \(balance)")
        }
    }
}
