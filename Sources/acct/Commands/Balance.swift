import ArgumentParser
import Cellar
import CellarCLI

extension Acct {
    struct Balance: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "balance",
            abstract: "Print an account's balance, e.g. 150.00.",
            discussion: "Reads the store without writing to it. Example: acct balance main")

        @OptionGroup var options: AcctOptions

        @Argument(help: "The account's name.")
        var name: String

        func run() throws {
            try Self.perform(name: name, in: options.context)
        }

        static func perform(name: String, in context: AcctContext) throws {
            let name = try AccountName.validated(name)
            guard let ledger = try context.openForReading() else {
                throw Ledger.unknownAccount(name, among: [])
            }
            let balance = try ledger.existing(name).balance()
            if context.json {
                try Output.json(AccountJSON(name, balance))
            } else {
                Output.line(balance.description)
            }
        }
    }
}
