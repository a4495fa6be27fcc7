import ArgumentParser
import Cellar
import CellarCLI

extension Acct {
    struct History: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "history",
            abstract: "Show an account's ledger: time, operation, amount, running balance.",
            discussion: "Oldest first; the newest 100 entries unless --limit N or --all, and a line on standard error says when the list is cut. Example: acct history main")

        @OptionGroup var options: AcctOptions

        @Argument(help: "The account's name.")
        var name: String

        @OptionGroup var limit: HistoryLimit

        func run() throws {
            try Self.perform(name: name, limit: try limit.count(), in: options.context)
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
            guard let ledger = try context.openForReading() else {
                throw Ledger.unknownAccount(name, among: [])
            }
            // One more than shown, so the first shown entry's amount is known;
            // read in one state, so the last running balance is the balance.
            let (entries, total) = try ledger.store.read {
                guard try ledger.contains(name) else { throw try ledger.unknownAccount(name) }
                let instance = Ledger.instance(name)
                return (try ledger.store.history(of: instance, limit: limit == .max ? .max : limit + 1).filter { $0.cell == "balance" },
                        try ledger.store.historyCount(of: instance))
            }
            var lines: [EntryJSON] = []
            var previous: Money?
            for entry in entries {
                let balance = Money(minorUnits: try entry.decode(as: Int64.self))
                let operation = entry.operation == "create" ? "open" : entry.operation ?? "change"
                let amount = operation == "open" && previous == nil ? balance : previous.map { Money(minorUnits: balance.minorUnits - $0.minorUnits) }
                lines.append(EntryJSON(sequence: entry.sequence, time: formatTimestamp(entry.time), operation: operation,
                                       amount: amount.map(\.signedDescription), balance: balance.description))
                previous = balance
            }
            let shown = Array(lines.suffix(limit))
            if context.json {
                try Output.json(HistoryJSON(entries: shown, total: total))
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
            if let notice = HistoryLimit.notice(shown: shown.count, total: total) {
                Output.error(notice)
            }
        }
    }
}
