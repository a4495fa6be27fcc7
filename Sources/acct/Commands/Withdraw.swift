import ArgumentParser
import Cellar
import CellarCLI

extension Acct {
    struct Withdraw: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "withdraw",
            abstract: "Take money out of an account.",
            discussion: "Refused (exit 1) beyond the balance. Prints the new balance. Example: acct withdraw main 20")

        @OptionGroup var options: AcctOptions

        @OptionGroup var operands: NameAndAmount

        func run() throws {
            try Self.perform(name: operands.name, amount: operands.amount, in: options.context)
        }

        static func perform(name: String, amount: String, in context: AcctContext) throws {
            let name = try AccountName.validated(name)
            let amount = try Money.positive(parsing: amount)
            let ledger = try context.openForWriting()
            let balance = try ledger.store.transaction {
                try ledger.existing(name).withdraw(amount)
            }
            try context.printBalance(of: name, balance)
        }
    }
}
