import ArgumentParser
import Cellar
import CellarCLI

extension Acct {
    struct Transfer: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "transfer",
            abstract: "Move money from one account to another, atomically.",
            discussion: "Both accounts change, or neither. Prints both new balances. Example: acct transfer main savings 25")

        @OptionGroup var options: AcctOptions

        @Argument(help: "The account to take the money from.")
        var from: String

        @Argument(help: "The account to put it in.")
        var to: String

        @Argument(help: "The amount, e.g. 50 or 12.34.")
        var amount: String

        struct TransferJSON: Encodable {
            let amount: String
            let from: AccountJSON
            let to: AccountJSON
        }

        func run() throws {
            try Self.perform(from: from, to: to, amount: amount, in: options.context)
        }

        static func perform(from: String, to: String, amount: String, in context: AcctContext) throws {
            let from = try AccountName.validated(from)
            let to = try AccountName.validated(to)
            let amount = try Money.positive(parsing: amount)
            guard from != to else {
                throw CommandError.badInput("Cannot transfer from '\(from)' to itself; name two different accounts.")
            }
            let ledger = try context.openForWriting()
            let (fromBalance, toBalance) = try ledger.store.transaction {
                let source = try ledger.existing(from)
                let target = try ledger.existing(to)
                // Each leg names itself in its account's history.
                let fromBalance = try ledger.store.transaction(operation: "transfer to \(to)") { try source.withdraw(amount) }
                let toBalance = try ledger.store.transaction(operation: "transfer from \(from)") { try target.deposit(amount) }
                return (fromBalance, toBalance)
            }
            if context.json {
                try Output.json(TransferJSON(amount: amount.description, from: AccountJSON(from, fromBalance), to: AccountJSON(to, toBalance)))
            } else {
                Output.line("\(from): \(fromBalance)")
                Output.line("\(to): \(toBalance)")
            }
        }
    }
}
