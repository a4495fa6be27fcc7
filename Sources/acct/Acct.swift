import ArgumentParser
import Cellar
import CellarCLI

@main
struct Acct: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "acct",
        abstract: "Durable bank accounts, kept in a Cellar store.",
        discussion: """
            Each account is a closure of the `account` factory, restored by its name: its \
            balance survives restarts and crashes, and every change is on disk (fsync) when \
            the command returns. Amounts are exact decimals with at most two fraction digits.

            ACCOUNT NAMES
              \(AccountName.rules); at most \(AccountName.maximumLength) characters.

            AMOUNTS
              Digits with an optional point and one or two decimals: 50, 12.5, 12.34.
              No signs, exponents, thousands separators or white space.

            STORE
              --store PATH, else $CELLAR_STORE, else $XDG_DATA_HOME/cellar/store.sqlite
              (~/.local/share/cellar/store.sqlite without XDG_DATA_HOME). `cellar` uses the
              same default, so `cellar inspect account/main` shows what `acct` wrote.

            EXAMPLES
              acct open savings --initial 100
              acct deposit main 50            # opens 'main' if needed
              acct transfer main savings 12.34
              acct balance main --json

            \(ExitStatus.helpText)
            """,
        version: "0.1.0",
        subcommands: [Open.self, Deposit.self, Withdraw.self, Balance.self, Transfer.self, List.self, Close.self]
    )

    /// Runs `acct` with `--store` and `--json` accepted before the subcommand,
    /// and negative numbers moved behind `--`, so that
    /// `acct deposit main -5` is read as the amount -5 and refused as
    /// negative, rather than as an unknown option.
    static func main() {
        let arguments = StoreOptions.movingLeadingOptions(Array(CommandLine.arguments.dropFirst()))
        main(argumentsWithNegativeNumbersAsValues(arguments))
    }

    static func argumentsWithNegativeNumbersAsValues(_ arguments: [String]) -> [String] {
        guard !arguments.contains("--") else { return arguments }
        let isNegativeNumber = { (argument: String) in
            argument.count > 1 && argument.hasPrefix("-") && argument.dropFirst().first!.isNumber
        }
        // An option's value stays with it, as `--initial=-1`.
        var joined: [String] = []
        for argument in arguments {
            if isNegativeNumber(argument), let option = joined.last, ["--initial", "--store"].contains(option) {
                joined[joined.count - 1] = option + "=" + argument
            } else {
                joined.append(argument)
            }
        }
        let negatives = joined.filter(isNegativeNumber)
        guard !negatives.isEmpty else { return joined }
        return joined.filter { !isNegativeNumber($0) } + ["--"] + negatives
    }
}

/// The options every `acct` command takes.
struct AcctOptions: ParsableArguments {
    @OptionGroup var storeOptions: StoreOptions

    @Flag(help: "Print the result as JSON.")
    var json = false

    /// The store for a command that changes money: created if missing,
    /// every commit flushed to disk.
    func openForWriting() throws -> Ledger {
        Ledger(store: try storeOptions.open(.createIfMissing, durability: .full))
    }

    /// The store for a command that only reads; nil if there is none yet.
    func openForReading() throws -> Ledger? {
        guard storeOptions.exists else { return nil }
        return Ledger(store: try storeOptions.open(.readOnly))
    }

    /// Prints an account's balance: `main: 150.00`, or its JSON.
    func printBalance(of name: String, _ balance: Money) throws {
        if json {
            try Output.json(AccountJSON(name, balance))
        } else {
            Output.line("\(name): \(balance)")
        }
    }
}
