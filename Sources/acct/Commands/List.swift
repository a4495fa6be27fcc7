import ArgumentParser
import Cellar
import CellarCLI
import Foundation

extension Acct {
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List every account with its balance.",
            discussion: "One account a line, sorted by name; nothing when there are none.")

        @OptionGroup var options: AcctOptions

        func run() throws {
            try reportingErrors {
                let balances = try options.openForReading()?.balances() ?? []
                if options.json {
                    try Output.json(balances.map { AccountJSON($0.name, $0.balance) })
                    return
                }
                let width = balances.map(\.name.count).max() ?? 0
                for (name, balance) in balances {
                    Output.line(name.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + balance.description)
                }
            }
        }
    }
}
