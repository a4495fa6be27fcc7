import ArgumentParser

/// `--limit N` and `--all`: how much of a history `acct history` and
/// `cellar history` show. The newest 100 entries by default; a cut list says
/// so, in one line on standard error, or in the JSON's fields.
package struct HistoryLimit: ParsableArguments {
    package static let defaultLimit = 100

    @Option(help: ArgumentHelp("Show at most this many entries, the newest (default: 100).", valueName: "n"))
    var limit: Int?

    @Flag(help: "Show every entry.")
    var all = false

    package init() {}

    /// How many entries to show: `Int.max` with `--all`.
    package func count() throws(CommandError) -> Int {
        if all {
            guard limit == nil else { throw .badInput("Give --limit N or --all, not both.") }
            return .max
        }
        let limit = limit ?? Self.defaultLimit
        guard limit > 0 else { throw .badInput("--limit must be 1 or more, not \(limit).") }
        return limit
    }

    /// "Showing the newest 100 of 2,345 entries; --limit N or --all shows more."
    /// when `shown` is less than `total`; nil when the list is whole.
    package static func notice(shown: Int, total: Int) -> String? {
        guard shown < total else { return nil }
        return "Showing the newest \(grouped(shown)) of \(grouped(total)) entries; --limit N or --all shows more."
    }

    /// `2,345`.
    private static func grouped(_ number: Int) -> String {
        var digits = String(number)
        var groups: [Substring] = []
        while digits.count > 3 {
            groups.insert(Substring(digits.suffix(3)), at: 0)
            digits.removeLast(3)
        }
        return ([Substring(digits)] + groups).joined(separator: ",")
    }
}

/// What `--json` prints for a history: the entries shown, how many there
/// are in all, and whether the list was cut.
package struct HistoryJSON<Entry: Encodable>: Encodable {
    let entries: [Entry]
    let total: Int
    let truncated: Bool

    package init(entries: [Entry], total: Int) {
        self.entries = entries
        self.total = total
        self.truncated = entries.count < total
    }
}
