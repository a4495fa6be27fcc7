import ArgumentParser
import Cellar
import CellarCLI

extension Acct {
    struct Watch: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "watch",
            abstract: "Print ledger lines as they happen, in any process, until interrupted.",
            discussion: """
                Each deposit, withdrawal, transfer, opening and closing of the account (of every \
                account without a name) prints one line: time, account, operation, amount, balance. \
                Ends on Ctrl-C (exit status 130), or when the reader of its output goes. Example: acct watch main
                """)

        @OptionGroup var options: AcctOptions

        @Argument(help: "Only this account.")
        var name: String?

        struct LineJSON: Encodable {
            let number: Int
            let time: String
            let account: String
            let operation: String
            let amount: String
            let balance: String?
        }

        func run() throws {
            let context = options.context
            let ledger = Ledger(store: try context.store.open(.createIfMissing))
            let changes: Changes
            if let name {
                let name = try AccountName.validated(name)
                guard try ledger.contains(name) else { throw try ledger.unknownAccount(name) }
                changes = ledger.store.changes(of: Ledger.instance(name))
            } else {
                changes = ledger.store.changes(of: accountFactory)
            }
            let balances = Balances(store: ledger.store)
            try WatchLoop.follow(changes) { change in
                guard let line = try balances.line(for: change) else { return }
                if context.json {
                    try Output.json(line)
                } else {
                    Output.line("\(line.time)  \(line.account)  \(line.operation)  \(line.amount)  \(line.balance ?? "closed")")
                }
            }
        }

        /// Each account's last balance seen, to tell each change's amount.
        ///
        /// `@unchecked Sendable`: used by the watch's one task, one change at a time.
        final class Balances: @unchecked Sendable {
            let store: Store
            var last: [String: Money] = [:]

            init(store: Store) {
                self.store = store
            }

            /// The ledger line of `change`; nil for a change that is not to a balance.
            func line(for change: Change) throws -> LineJSON? {
                let account = change.instance.key
                let time = formatTimestamp(change.time)
                guard change.kind != .instanceDeleted else {
                    last[account] = nil
                    return LineJSON(number: change.number, time: time, account: account, operation: "close", amount: "0.00", balance: nil)
                }
                guard change.cell == "balance", change.kind == .set, let sequence = change.sequence else { return nil }
                let balance = Money(minorUnits: try change.decode(as: Int64.self))
                let previous = last[account] ?? balanceBefore(sequence, of: change.instance)
                last[account] = balance
                let operation = change.operation == "create" ? "open" : change.operation ?? "change"
                let amount = previous.map { balance.minorUnits - $0.minorUnits } ?? balance.minorUnits
                return LineJSON(number: change.number, time: time, account: account, operation: operation,
                                amount: Money(minorUnits: amount).signedDescription,
                                balance: balance.description)
            }

            /// The balance just before change `sequence` of the account, from
            /// the newest 1,000 entries of its history; nil when they no longer
            /// hold it (or the account is gone).
            private func balanceBefore(_ sequence: Int, of instance: InstanceID) -> Money? {
                guard let entries = try? store.history(of: instance, limit: 1_000) else { return nil }
                guard let entry = entries.last(where: { $0.cell == "balance" && $0.sequence < sequence && $0.value != nil }) else { return nil }
                return (try? entry.decode(as: Int64.self)).map(Money.init(minorUnits:))
            }
        }
    }
}
