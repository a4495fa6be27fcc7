/// The cells of the instance a factory is building: declare each
/// captured variable with ``cell(_:default:)``.
///
/// A `Cells` value is handed to a factory's build closure and is good only
/// while that closure runs; the cells it returns are good for as long as you
/// keep them.
public final class Cells {
    /// The name of the factory being built.
    public var factory: String { instance.factory }
    /// The key of the instance being built.
    public var key: String { instance.key }
    /// The instance being built.
    public let instance: InstanceID

    private let engines: EnginePool
    private let record: InstanceRecord
    private var isBuilding = true
    private var firstError: (any Error)?

    init(engines: EnginePool, instance: InstanceRecord) {
        self.engines = engines
        self.record = instance
        self.instance = instance.id
    }

    /// Declares a captured variable: the stored cell named `name` if the
    /// instance has one, otherwise a new cell that starts at `defaultValue`.
    ///
    /// For example:
    ///
    /// ```swift
    /// let balance = cells.cell("balance", default: 100)
    /// ```
    ///
    /// A stored cell of another type makes the restore throw
    /// ``CellError/typeMismatch(instance:cell:storedType:requestedType:)``
    /// and leaves the cell as it is.
    ///
    /// - Parameters:
    ///   - name: The cell's name within the instance; see the naming rules in
    ///     <doc:KeysAndNames>.
    ///   - defaultValue: The value of a new cell; not evaluated when the cell exists.
    /// - Returns: The cell, shared with every other restore of this instance
    ///   in this process.
    public func cell<Value: Codable & Sendable>(
        _ name: String, default defaultValue: @autoclosure () -> Value
    ) -> PersistentCell<Value> {
        precondition(isBuilding, "Cells can only be declared while the factory's build closure runs")
        let address = CellAddress(instanceRowID: record.rowID, name: name)
        let codec = CellCodec<Value>.make()
        do {
            // Declarations run inside the restore's write transaction.
            return try engines.continueTransaction { session in
                if let newest = try session.newestVersion(of: address), let stored = newest.cell {
                    return liveCell(at: address, codec: codec, holding: try codec.decode(stored, instance: instance),
                                    storedAs: stored.value, sequence: newest.sequence, session)
                }
                try NameRules.validate(name, as: "cell name")
                let value = defaultValue()
                let stored = try codec.record(named: name, holding: value, instance: instance)
                let sequence = try session.createCell(stored, in: record)
                return liveCell(at: address, codec: codec, holding: value, storedAs: stored.value, sequence: sequence, session)
            }
        } catch {
            // Reported when the build returns: the build closure cannot throw.
            if firstError == nil { firstError = error }
            return PersistentCell(address: address, instance: instance, engines: engines, codec: codec, recordsHistory: record.recordsHistory)
        }
    }

    /// The cell in use at `address`, or a new one that now is, holding
    /// `value` (stored as `stored`, in version `sequence`) in memory where
    /// the engine keeps caches.
    private func liveCell<Value>(
        at address: CellAddress, codec: CellCodec<Value>, holding value: Value, storedAs stored: CellValue, sequence: Int64,
        _ session: borrowing Session
    ) -> PersistentCell<Value> {
        let cell = session.liveCell(at: address) {
            PersistentCell(address: address, instance: instance, engines: engines, codec: codec, recordsHistory: record.recordsHistory)
        }
        if session.usesCellCaches {
            cell.cache(value, storedAs: stored, sequence: sequence, generation: session.generation)
        }
        return cell
    }

    /// Ends the build; throws the first error a declaration met.
    func finishBuilding() throws {
        isBuilding = false
        if let firstError { throw firstError }
    }
}
