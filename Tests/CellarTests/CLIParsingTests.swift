@testable import acct
@testable import cellar
import ArgumentParser
import Cellar
import CellarCLI
import Testing

/// In-process tests of how the tools read what a person types.
@Suite struct CLIParsingTests {
    @Test(arguments: [
        ("50", 5000), ("12.34", 1234), ("12.5", 1250), ("0.01", 1), ("007", 700), ("0", 0),
        ("92233720368547758.07", Int64.max),
    ])
    func validAmountsAreReadExactly(text: String, minorUnits: Int64) throws {
        #expect(try Money(parsing: text).minorUnits == minorUnits)
    }

    @Test(arguments: [
        ("", "it is empty"),
        ("-5", "it is negative"),
        ("+5", "it has a sign"),
        ("1e3", "exponents are not accepted"),
        ("1E3", "exponents are not accepted"),
        ("1,000", "thousands separators are not accepted"),
        ("1_000", "thousands separators are not accepted"),
        (" 50", "it contains white space"),
        ("50\n", "it contains white space"),
        ("1 000", "it contains white space"),
        ("12.345", "it has more than two decimals"),
        ("abc", "it is not a number"),
        ("12.", "it is not a number"),
        (".5", "it is not a number"),
        ("1.2.3", "it is not a number"),
        ("0x10", "it is not a number"),
        ("NaN", "it is not a number"),
        ("inf", "it is not a number"),
        ("٣", "it is not a number"),
        ("92233720368547758.08", "it is larger than 92233720368547758.07"),
        ("99999999999999999999999", "it is larger than 92233720368547758.07"),
    ])
    func invalidAmountsAreRefusedWithTheirReason(text: String, reason: String) {
        #expect(throws: CommandError.badInput("\(quoted(text)) is not a valid amount (\(reason)); write amounts like 50 or 12.34.")) {
            try Money(parsing: text)
        }
    }

    @Test func zeroIsNoAmountToMove() {
        #expect(throws: CommandError.badInput("The amount must be more than 0.00, not '0.00'.")) {
            try Money.positive(parsing: "0.00")
        }
    }

    @Test func moneyPrintsTwoDecimals() {
        #expect(Money(minorUnits: 15000).description == "150.00")
        #expect(Money(minorUnits: 5).description == "0.05")
        #expect(Money(minorUnits: Int64.max).description == "92233720368547758.07")
    }

    @Test(arguments: ["main", "savings-2", "a.b_c", "Ünïcödé", "9lives", String(repeating: "a", count: 64)])
    func validAccountNames(name: String) throws {
        #expect(try AccountName.validated(name) == name)
    }

    @Test(arguments: ["", "a/b", "a b", "'quoted'", "\"q\"", "x;DROP TABLE cells", "tab\there", "-dash", ".dot",
                      "new\nline", String(repeating: "a", count: 65), "a\\b"])
    func invalidAccountNamesAreBadInput(name: String) {
        #expect {
            try AccountName.validated(name)
        } throws: { error in
            (error as? CommandError)?.exitStatus == .badInput
        }
    }

    @Test func sharedOptionsMayComeBeforeTheSubcommand() {
        #expect(StoreOptions.movingLeadingOptions(["--store", "x.sqlite", "check"]) == ["check", "--store", "x.sqlite"])
        #expect(StoreOptions.movingLeadingOptions(["--json", "--store=x", "list", "account"]) == ["list", "account", "--json", "--store=x"])
        #expect(StoreOptions.movingLeadingOptions(["list", "--store", "x"]) == ["list", "--store", "x"])
        #expect(StoreOptions.movingLeadingOptions(["--store", "x", "a", "--", "-b"]) == ["a", "--store", "x", "--", "-b"])
    }

    @Test func negativeAmountsReachTheAmountParser() {
        #expect(Acct.argumentsWithNegativeNumbersAsValues(["deposit", "main", "-5", "--json"]) == ["deposit", "main", "--json", "--", "-5"])
        #expect(Acct.argumentsWithNegativeNumbersAsValues(["deposit", "main", "5"]) == ["deposit", "main", "5"])
        #expect(Acct.argumentsWithNegativeNumbersAsValues(["open", "x", "--initial", "-1"]) == ["open", "x", "--initial=-1"])
    }

    @Test func commandsParseTheirArguments() throws {
        let deposit = try #require(try Acct.parseAsRoot(["deposit", "main", "50", "--json", "--store", "s.sqlite"]) as? Acct.Deposit)
        #expect(deposit.operands.name == "main")
        #expect(deposit.operands.amount == "50")
        #expect(deposit.options.json)
        #expect(deposit.options.storeOptions.location.path() == "s.sqlite")
        let close = try #require(try Acct.parseAsRoot(["close", "old", "--force"]) as? Acct.Close)
        #expect(close.force)
        let delete = try #require(try CellarTool.parseAsRoot(["delete", "account/old", "-y"]) as? CellarTool.Delete)
        #expect(delete.yes)
        #expect(throws: (any Error).self) { try Acct.parseAsRoot(["deposit", "main"]) }
    }

    @Test func theStoreIsFoundWhereBothToolsLook() throws {
        let options = try StoreOptions.parse([])
        #expect(options.location.path(environment: ["CELLAR_STORE": "/x/s.sqlite", "XDG_DATA_HOME": "/xdg", "HOME": "/h"]) == "/x/s.sqlite")
        #expect(options.location.path(environment: ["XDG_DATA_HOME": "/xdg", "HOME": "/h"]) == "/xdg/cellar/store.sqlite")
        #expect(options.location.path(environment: ["XDG_DATA_HOME": "relative", "HOME": "/h"]) == "/h/.local/share/cellar/store.sqlite")
        #expect(options.location.path(environment: ["HOME": "/h"]) == "/h/.local/share/cellar/store.sqlite")
        let flagged = try StoreOptions.parse(["--store", "/flag.sqlite"])
        #expect(flagged.location.path(environment: ["CELLAR_STORE": "/x/s.sqlite"]) == "/flag.sqlite")
    }

    @Test func typosGetASuggestion() {
        #expect(closestMatch(to: "mian", in: ["main", "savings"]) == "main")
        #expect(closestMatch(to: "savigns", in: ["main", "savings"]) == "savings")
        #expect(closestMatch(to: "zzz", in: ["main", "savings"]) == nil)
    }
}
