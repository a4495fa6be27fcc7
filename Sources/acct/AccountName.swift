import Cellar
import CellarCLI

/// The rules for account names, as `acct --help` states them.
enum AccountName {
    static let maximumLength = 64

    static let rules = "1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit"

    /// `text` if it is a valid account name; otherwise a bad-input error
    /// (exit status 64) that says why.
    static func validated(_ text: String) throws(CommandError) -> String {
        guard let first = text.first else {
            throw .badInput("An account name cannot be empty; use \(rules).")
        }
        let allowed = text.count <= maximumLength
            && (first.isLetter || first.isNumber)
            && text.allSatisfy { $0.isLetter || $0.isNumber || $0 == "." || $0 == "_" || $0 == "-" }
        guard allowed else {
            throw .badInput("\(quoted(text)) is not a valid account name; use \(rules).")
        }
        return text
    }
}
