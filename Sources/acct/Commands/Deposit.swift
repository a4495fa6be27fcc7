import ArgumentParser
import Cellar
import CellarCLI

extension Acct {
    struct Deposit: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "deposit",
            abstract: "Add money to an account, opening it if it does not exist.",
            discussion: "Prints the new balance. Example: acct deposit main 50")

        @OptionGroup var options: AcctOptions

        @OptionGroup var operands: NameAndAmount

        func run() throws {
            try Self.perform(name: operands.name, amount: operands.amount, in: options.context)
        }

        static func perform(name: String, amount: String, in context: AcctContext) throws {
            let name = try AccountName.validated(name)
            let amount = try Money.positive(parsing: amount)
            let ledger = try context.openForWriting()
            var opened = false
            let balance = try ledger.store.transaction {
                opened = try !ledger.contains(name)
                return try ledger.store.restore(accountFactory, key: name).deposit(amount)
            }
            if opened {
                Output.error("Opened account '\(name)'.")
            }
            try context.printBalance(of: name, balance)
        }
    }
}
