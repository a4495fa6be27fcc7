/// One step that reshapes the stored cells of a factory's instances, from the
/// previous state version to ``version``.
///
/// When a factory's cells change shape (a cell is renamed, retyped, split or
/// added with a computed value) raise the factory's `stateVersion` and add a
/// step. On restore, an instance stored at an older version runs the steps it
/// missed, in order, in the restore's transaction, and records the new
/// version: each step runs once per instance, or not at all if it throws.
///
/// For example, cents instead of a floating-point balance:
///
/// ```swift
/// let account = Factory("account", stateVersion: 2, migrations: [
///     StateMigration(to: 1) { state in try state.rename("bal", to: "balance") },
///     StateMigration(to: 2) { state in
///         try state.transform("balance", from: Double.self) { Int(($0 * 100).rounded()) }
///     },
/// ]) { cells in
///     let balance = cells.cell("balance", default: 0)
///     ...
/// }
/// ```
///
/// A cell that is merely new needs no step: ``Cells/cell(_:default:)`` adds
/// it with its default the first time an instance is restored.
public struct StateMigration: Sendable {
    /// The state version this step produces.
    public let version: Int
    let migrate: @Sendable (StateEditor) throws -> Void

    /// A step to state version `version`.
    ///
    /// - Parameters:
    ///   - version: The version this step produces; at least 1.
    ///   - migrate: Edits one instance's cells; throwing aborts the restore
    ///     and leaves the instance as it was.
    public init(to version: Int, _ migrate: @escaping @Sendable (StateEditor) throws -> Void) {
        precondition(version >= 1, "a state migration produces a version of 1 or more")
        self.version = version
        self.migrate = migrate
    }
}

/// The stored cells of one instance, as a ``StateMigration`` sees them.
///
/// An editor is good only while its migration step runs, inside the
/// restore's transaction.
public final class StateEditor {
    /// The instance being migrated.
    public let instance: InstanceID
    private let engines: EnginePool
    private let record: InstanceRecord

    init(engines: EnginePool, instance: InstanceRecord) {
        self.engines = engines
        self.record = instance
        self.instance = instance.id
    }

    /// The names of the instance's cells, sorted.
    public func cellNames() throws -> [String] {
        try engines.continueTransaction { session in try session.cells(of: record).map(\.name) }
    }

    /// True if the instance has a cell named `name`.
    public func contains(_ name: String) throws -> Bool {
        try stored(name) != nil
    }

    /// The value of cell `name`, which must hold a `Value`.
    public func value<Value: Codable & Sendable>(of name: String, as type: Value.Type = Value.self) throws -> Value {
        try CellCodec<Value>.make().decode(try existing(name), instance: instance)
    }

    /// Stores `value` in cell `name`, creating the cell or replacing its
    /// value and type.
    public func set<Value: Codable & Sendable>(_ name: String, to value: Value) throws {
        try NameRules.validate(name, as: "cell name")
        let stored = try CellCodec<Value>.make().record(named: name, holding: value, instance: instance)
        try engines.continueTransaction { session in try session.replaceCell(stored, in: record, defaultOperation: "migrate") }
    }

    /// Renames cell `name` to `newName`, keeping its value.
    public func rename(_ name: String, to newName: String) throws {
        try NameRules.validate(newName, as: "cell name")
        _ = try existing(name)
        guard try !contains(newName) else {
            throw CellError.cellExists(instance: instance, cell: newName)
        }
        try engines.continueTransaction { session in try session.renameCell(name, to: newName, in: record, defaultOperation: "migrate") }
    }

    /// Deletes cell `name`.
    public func remove(_ name: String) throws {
        _ = try existing(name)
        try engines.continueTransaction { session in try session.removeCell(name, from: record, defaultOperation: "migrate") }
    }

    /// Replaces the `Old` value of cell `name` with what `transform` makes of it.
    public func transform<Old: Codable & Sendable, New: Codable & Sendable>(
        _ name: String, from oldType: Old.Type, to newType: New.Type = New.self, _ transform: (Old) throws -> New
    ) throws {
        let old = try value(of: name, as: Old.self)
        try set(name, to: try transform(old))
    }

    private func stored(_ name: String) throws -> CellRecord? {
        try engines.continueTransaction { session in try session.cell(CellAddress(instanceRowID: record.rowID, name: name)) }
    }

    private func existing(_ name: String) throws -> CellRecord {
        guard let record = try stored(name) else {
            throw CellError.noSuchCell(instance: instance, cell: name)
        }
        return record
    }
}
