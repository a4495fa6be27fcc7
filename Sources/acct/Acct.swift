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
              \(AccountName.rules);
              at most \(AccountName.maximumLength) characters.

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
              acct history main               # the ledger
              acct watch                      # ledger lines as they happen

            \(ExitStatus.helpText)
            """,
        version: "0.1.0",
        subcommands: [Open.self, Deposit.self, Withdraw.self, Balance.self, Transfer.self, List.self, Close.self, History.self, Watch.self]
    )

    /// Runs `acct` with `--store` and `--json` accepted before the subcommand,
    /// and negative numbers moved behind `--`, so that
    /// `acct deposit main -5` is read as the amount -5 and refused as
    /// negative, rather than as an unknown option.
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        runPlainForm(arguments)
        runAsRoot(argumentsWithNegativeNumbersAsValues(StoreOptions.movingLeadingOptions(arguments)))
    }

    /// Runs the commands scripts run most, typed in their plain form with no
    /// option at all (`acct deposit NAME AMOUNT`, `withdraw NAME AMOUNT`,
    /// `balance NAME`, `transfer FROM TO AMOUNT`), without ArgumentParser.
    ///
    /// Why: ArgumentParser's first parse in a process spends 2 to 4 ms on
    /// reflection and protocol-conformance lookups, as much as the deposit
    /// itself. The plain form has exactly one reading, and it calls the same
    /// `perform` as the parsed command; anything else (options, `--help`, a
    /// wrong number of arguments) goes through ArgumentParser.
    ///
    /// Exits when `arguments` are a plain form; returns otherwise.
    static func runPlainForm(_ arguments: [String]) {
        guard let verb = arguments.first, !arguments.contains(where: { $0.hasPrefix("-") }) else { return }
        let context = AcctContext(store: StoreLocation(explicitPath: nil), json: false)
        let operands = Array(arguments.dropFirst())
        let work: () throws -> Void
        switch (verb, operands.count) {
        case ("deposit", 2): work = { try Deposit.perform(name: operands[0], amount: operands[1], in: context) }
        case ("withdraw", 2): work = { try Withdraw.perform(name: operands[0], amount: operands[1], in: context) }
        case ("balance", 1): work = { try Balance.perform(name: operands[0], in: context) }
        case ("transfer", 3): work = { try Transfer.perform(from: operands[0], to: operands[1], amount: operands[2], in: context) }
        default: return
        }
        do {
            try work()
        } catch {
            exitReporting(error)  // the plain form has no --json
        }
        Platform.exit(ExitStatus.success.rawValue)
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

    /// What the commands' work needs of these options.
    var context: AcctContext {
        AcctContext(store: storeOptions.location, json: json)
    }
}

/// `NAME AMOUNT`, as `deposit` and `withdraw` take them.
struct NameAndAmount: ParsableArguments {
    @Argument(help: "The account's name.")
    var name: String

    @Argument(help: "The amount, e.g. 50 or 12.34.")
    var amount: String
}
