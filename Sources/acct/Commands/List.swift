import ArgumentParser
import Cellar
import CellarCLI

extension Acct {
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List every account with its balance.",
            discussion: "One account a line, sorted by name; nothing when there are none.")

        @OptionGroup var options: AcctOptions

        func run() throws {
            try Self.perform(in: options.context)
        }

        static func perform(in context: AcctContext) throws {
            let balances = try context.openForReading()?.balances() ?? []
            if context.json {
                try Output.json(balances.map { AccountJSON($0.name, $0.balance) })
                return
            }
            let width = balances.map(\.name.count).max() ?? 0
            for (name, balance) in balances {
                Output.line(padded(name, to: width) + "  " + balance.description)
            }
        }
    }
}
