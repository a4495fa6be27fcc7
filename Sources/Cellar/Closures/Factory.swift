/// Builds the closures of one kind of durable instance: a name, and a build
/// closure that declares cells and returns what captures them.
///
/// What the build closure returns is up to you: a bare closure, a tuple or a
/// struct of closures. Make the closures `@Sendable` (and a struct of them
/// `Sendable`): cells are, so the closures can be called from any thread or
/// task, and Swift 6 then lets you. A ``Store`` runs it for each ``Store/restore(_:key:)``,
/// handing it the ``Cells`` of the instance named by the key.
///
/// For example, the bank account of Python's `bank_account(100)`: three
/// closures sharing one balance.
///
/// ```swift
/// struct Account: Sendable {
///     let balance: @Sendable () throws -> Int
///     let deposit: @Sendable (Int) throws -> Void
///     let withdraw: @Sendable (Int) throws -> Void
/// }
///
/// let account = Factory("account") { cells in
///     let balance = cells.cell("balance", default: 100)
///     return Account(
///         balance: { try balance.get() },
///         deposit: { amount in
///             guard amount > 0 else { throw AccountError.nonPositiveAmount }
///             try balance.update { $0 += amount }
///         },
///         withdraw: { amount in
///             try balance.update { current in
///                 guard amount > 0, amount <= current else { throw AccountError.insufficientFunds }
///                 current -= amount
///             }
///         })
/// }
/// ```
public struct Factory<Instance>: Sendable {
    /// The factory's name: the first half of `factory/key`.
    public let name: String
    /// The shape of the state this factory's build closure expects; see ``StateMigration``.
    public let stateVersion: Int
    /// Whether every change to its instances' cells is kept in the store's
    /// history (see ``Store/history(of:since:limit:)``).
    public let recordsHistory: Bool
    let migrations: [StateMigration]
    let build: @Sendable (Cells) -> Instance

    /// A factory named `name`.
    ///
    /// - Parameters:
    ///   - name: Names the factory in the store; follows the naming rules in <doc:KeysAndNames>.
    ///   - stateVersion: The version of the cells' shape; raise it with each
    ///     ``StateMigration``. 0 for a factory that never changed.
    ///   - migrations: The steps from older state versions, each to a distinct
    ///     version no higher than `stateVersion`.
    ///   - recordsHistory: Keep every change in the store's history (the
    ///     default); false for state whose past is of no interest, such as a
    ///     cache, to save the history row a change costs.
    ///   - build: Declares the instance's cells and returns its closures.
    public init(
        _ name: String, stateVersion: Int = 0, migrations: [StateMigration] = [], recordsHistory: Bool = true,
        build: @escaping @Sendable (Cells) -> Instance
    ) {
        let versions = migrations.map(\.version)
        precondition(stateVersion >= 0, "a factory's state version is 0 or more")
        precondition(Set(versions).count == versions.count, "two state migrations of '\(name)' produce the same version")
        precondition(versions.allSatisfy { $0 <= stateVersion }, "a state migration of '\(name)' goes beyond stateVersion \(stateVersion)")
        self.name = name
        self.stateVersion = stateVersion
        self.recordsHistory = recordsHistory
        self.migrations = migrations.sorted { $0.version < $1.version }
        self.build = build
    }
}
