import ArgumentParser
import Cellar
import CellarCLI

extension Acct {
    struct History: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "history",
            abstract: "Show an account's ledger: time, operation, amount, running balance.",
            discussion: "Oldest first; the latest 100 entries unless --limit. Example: acct history main")

        @OptionGroup var options: AcctOptions

        @Argument(help: "The account's name.")
        var name: String

        @Option(help: "Show at most this many entries, the newest.")
        var limit: Int = 100

        func run() throws {
            try Self.perform(name: name, limit: limit, in: options.context)
        }

        struct EntryJSON: Encodable {
            let sequence: Int
            let time: String
            let operation: String
            let amount: String?
            let balance: String
        }

        static func perform(name: String, limit: Int, in context: AcctContext) throws {
            let name = try AccountName.validated(name)
            guard limit > 0 else { throw CommandError.badInput("--limit must be 1 or more, not \(limit).") }
            guard let ledger = try context.openForReading() else {
                throw Ledger.unknownAccount(name, among: [])
            }
            // One more than shown, so the first shown entry's amount is known;
            // read in one state, so the last running balance is the balance.
            let entries = try ledger.store.read {
                guard try ledger.contains(name) else { throw try ledger.unknownAccount(name) }
                return try ledger.store.history(of: Ledger.instance(name), limit: limit + 1).filter { $0.cell == "balance" }
            }
            var lines: [EntryJSON] = []
            var previous: Money?
            for entry in entries {
                let balance = Money(minorUnits: try entry.decode(as: Int64.self))
                let operation = entry.operation == "create" ? "open" : entry.operation ?? "change"
                let amount = operation == "open" && previous == nil ? balance : previous.map { Money(minorUnits: balance.minorUnits - $0.minorUnits) }
                lines.append(EntryJSON(sequence: entry.sequence, time: formatTimestamp(entry.time), operation: operation,
                                       amount: amount.map(signed), balance: balance.description))
                previous = balance
            }
            let shown = Array(lines.suffix(limit))
            if context.json {
                try Output.json(shown)
                return
            }
            let operationWidth = shown.map(\.operation.count).max() ?? 0
            let amountWidth = shown.map { ($0.amount ?? "").count }.max() ?? 0
            let balanceWidth = shown.map(\.balance.count).max() ?? 0
            for line in shown {
                let amount = line.amount ?? ""
                Output.line(line.time + "  " + padded(line.operation, to: operationWidth)
                            + "  " + String(repeating: " ", count: amountWidth - amount.count) + amount
                            + "  " + String(repeating: " ", count: balanceWidth - line.balance.count) + line.balance)
            }
        }

        /// `+50.00`, `-20.00`, `0.00`.
        private static func signed(_ amount: Money) -> String {
            amount.minorUnits > 0 ? "+\(amount)" : amount.description
        }
    }
}
