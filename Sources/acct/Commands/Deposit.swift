import ArgumentParser
import Cellar
import CellarCLI

extension Acct {
    struct Deposit: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add money to an account, opening it if it does not exist.",
            discussion: "Prints the new balance. Example: acct deposit main 50")

        @OptionGroup var options: AcctOptions

        @Argument(help: "The account's name.")
        var name: String

        @Argument(help: "The amount, e.g. 50 or 12.34.")
        var amount: String

        func run() throws {
            try reportingErrors {
                let name = try AccountName.validated(name)
                let amount = try Money.positive(parsing: amount)
                let ledger = try options.openForWriting()
                var opened = false
                let balance = try ledger.store.transaction {
                    opened = try !ledger.contains(name)
                    return try ledger.store.restore(accountFactory, key: name).deposit(amount)
                }
                if opened {
                    Output.error("Opened account '\(name)'.")
                }
                try options.printBalance(of: name, balance)
            }
        }
    }
}
