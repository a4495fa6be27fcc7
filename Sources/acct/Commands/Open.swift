import ArgumentParser
import Cellar
import CellarCLI

extension Acct {
    struct Open: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "open",
            abstract: "Open a new account.",
            discussion: "Refused (exit 1) if the account exists. Example: acct open savings --initial 100")

        @OptionGroup var options: AcctOptions

        @Argument(help: "The new account's name.")
        var name: String

        @Option(help: ArgumentHelp("The opening balance, e.g. 100 or 12.34.", valueName: "amount"))
        var initial: String = "0"

        func run() throws {
            try Self.perform(name: name, initial: initial, in: options.context)
        }

        static func perform(name: String, initial: String, in context: AcctContext) throws {
            let name = try AccountName.validated(name)
            let initial = try Money(parsing: initial)
            let ledger = try context.openForWriting()
            let balance = try ledger.store.transaction(operation: "open") {
                if let existing = try ledger.store.restoreExisting(accountFactory, key: name) {
                    throw CommandError.refused("The account '\(name)' already exists (balance \(try existing.balance())).")
                }
                let account = try ledger.store.restore(accountFactory, key: name)
                return initial > .zero ? try account.deposit(initial) : .zero
            }
            try context.printBalance(of: name, balance)
        }
    }
}
