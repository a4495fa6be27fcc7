import ArgumentParser
import Cellar
import CellarCLI

extension Acct {
    struct Close: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "close",
            abstract: "Close an account.",
            discussion: "Refused (exit 1) while the balance is not 0.00, unless --force. Example: acct close savings")

        @OptionGroup var options: AcctOptions

        @Argument(help: "The account's name.")
        var name: String

        @Flag(help: "Close the account even though it still holds money, discarding it.")
        var force = false

        struct CloseJSON: Encodable {
            let account: String
            let closed: Bool
            let balance: String
        }

        func run() throws {
            try Self.perform(name: name, force: force, in: options.context)
        }

        static func perform(name: String, force: Bool, in context: AcctContext) throws {
            let name = try AccountName.validated(name)
            let ledger = try context.openForWriting()
            let balance = try ledger.store.transaction {
                let balance = try ledger.existing(name).balance()
                guard balance == .zero || force else {
                    throw CommandError.refused(
                        "The account '\(name)' still holds \(balance); withdraw it first, or close with --force to discard it.")
                }
                try ledger.store.delete(Ledger.instance(name))
                return balance
            }
            if context.json {
                try Output.json(CloseJSON(account: name, closed: true, balance: balance.description))
            } else {
                Output.line("\(name): closed" + (balance == .zero ? "" : " (\(balance) discarded)"))
            }
        }
    }
}
