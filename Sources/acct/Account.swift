import Cellar
import CellarCLI

/// An account: the closures of the `account` factory for one name. Its
/// balance is one cell, in minor units, shared by the three closures.
struct Account {
    let name: String
    let balance: () throws -> Money
    let deposit: (Money) throws -> Money
    let withdraw: (Money) throws -> Money
}

/// The factory behind every account: `cellar inspect account/main` shows
/// its cell.
let accountFactory = Factory("account") { cells in
    let balance = cells.cell("balance", default: Int64(0))
    let name = cells.key
    return Account(
        name: name,
        balance: { Money(minorUnits: try balance.get()) },
        deposit: { amount in
            try balance.update(operation: "deposit") { current in
                let (sum, overflow) = current.addingReportingOverflow(amount.minorUnits)
                guard !overflow else { throw AccountError.balanceTooLarge(account: name, deposit: amount) }
                current = sum
                return Money(minorUnits: sum)
            }
        },
        withdraw: { amount in
            try balance.update(operation: "withdraw") { current in
                guard amount.minorUnits <= current else {
                    throw AccountError.insufficientFunds(account: name, balance: Money(minorUnits: current), withdrawal: amount)
                }
                current -= amount.minorUnits
                return Money(minorUnits: current)
            }
        })
}

/// The accounts of a store, with the lookups the commands share.
struct Ledger {
    let store: Store

    /// The account `name`, which must exist.
    func existing(_ name: String) throws -> Account {
        guard let account = try store.restoreExisting(accountFactory, key: name) else {
            throw try unknownAccount(name)
        }
        return account
    }

    func contains(_ name: String) throws -> Bool {
        try store.contains(Self.instance(name))
    }

    /// The balances of every account, sorted by name, read without writing
    /// and from one committed state: their sum is one that existed, even
    /// while other processes transfer money.
    func balances() throws -> [(name: String, balance: Money)] {
        try store.read {
            try store.keys(of: accountFactory.name).compactMap { name in
                guard let cell = try store.inspect(Self.instance(name))?[cell: "balance"] else { return nil }
                return (name, Money(minorUnits: try cell.decode(as: Int64.self)))
            }
        }
    }

    /// The instance behind account `name`.
    static func instance(_ name: String) -> InstanceID {
        InstanceID(factory: accountFactory.name, key: name)
    }

    /// "no account named 'mian'. Did you mean 'main'? ..." (exit status 1).
    func unknownAccount(_ name: String) throws -> CommandError {
        try Self.unknownAccount(name, among: store.keys(of: accountFactory.name))
    }

    static func unknownAccount(_ name: String, among names: [String]) -> CommandError {
        if let suggestion = closestMatch(to: name, in: names) {
            return .refused("No account named '\(name)'. Did you mean '\(suggestion)'? ('acct list' shows all accounts)")
        }
        return .refused("No account named '\(name)'; 'acct open \(name)' creates it ('acct list' shows all accounts).")
    }
}

/// What the `account` factory refuses: the rules of an account, not of the
/// command line.
enum AccountError: Error, Equatable, CustomStringConvertible {
    /// A deposit would take the balance past the largest one `Money` holds.
    case balanceTooLarge(account: String, deposit: Money)
    /// A withdrawal is larger than the balance.
    case insufficientFunds(account: String, balance: Money, withdrawal: Money)

    var description: String {
        switch self {
        case .balanceTooLarge(let account, let deposit):
            "Depositing \(deposit) would take '\(account)' past the largest balance, \(Money(minorUnits: .max))."
        case .insufficientFunds(let account, let balance, let withdrawal):
            "Insufficient funds: '\(account)' has \(balance), which is less than \(withdrawal)."
        }
    }
}

/// `acct` reports an account's refusal with exit status 1.
extension AccountError: CommandFailure {
    var exitStatus: ExitStatus { .refused }
}

/// What `--json` prints for an account.
struct AccountJSON: Encodable {
    let account: String
    let balance: String

    init(_ name: String, _ balance: Money) {
        self.account = name
        self.balance = balance.description
    }
}
