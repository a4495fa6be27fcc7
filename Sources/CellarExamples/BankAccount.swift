public import Cellar

/// Python's `bank_account(initial_balance)`: three closures that share one
/// private balance, guarded by rules.
///
/// ```python
/// def bank_account(initial_balance):
///     balance = initial_balance
///     def get_balance(): return balance
///     def deposit(amount):
///         nonlocal balance
///         if amount > 0:
///             balance += amount
///             return True
///         return False
///     def withdraw(amount):
///         nonlocal balance
///         if 0 < amount <= balance:
///             balance -= amount
///             return True
///         return False
///     return {'get_balance': get_balance, 'deposit': deposit, 'withdraw': withdraw}
/// ```
///
/// As in Python, a refused deposit or withdrawal returns false and changes
/// nothing, in memory or in the file.
public struct BankAccount: Sendable {
    public let balance: @Sendable () throws -> Int
    public let deposit: @Sendable (Int) throws -> Bool
    public let withdraw: @Sendable (Int) throws -> Bool
}

public func bankAccountFactory(initialBalance: Int) -> Factory<BankAccount> {
    Factory("bank_account") { cells in
        let balance = cells.cell("balance", default: initialBalance)
        return BankAccount(
            balance: { try balance.get() },
            deposit: { amount in
                try balance.update { balance in
                    guard amount > 0 else { return false }
                    balance += amount
                    return true
                }
            },
            withdraw: { amount in
                try balance.update { balance in
                    guard 0 < amount, amount <= balance else { return false }
                    balance -= amount
                    return true
                }
            })
    }
}
