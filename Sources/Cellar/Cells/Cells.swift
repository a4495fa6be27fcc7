/// The cells of the closure instance a factory is building: declare each
/// captured variable with ``cell(_:default:)``.
///
/// A `Cells` value is handed to a factory's build closure and is good only
/// while that closure runs; the cells it returns are good for as long as you
/// keep them.
public final class Cells {
    /// The name of the factory being built.
    public let factory: String
    /// The key of the instance being built.
    public let key: String

    private let storage: Storage
    private let closureID: Int64
    private let recordsHistory: Bool
    private var isBuilding = true
    private var firstError: (any Error)?

    init(storage: Storage, closure: ClosureRecord) {
        self.storage = storage
        self.closureID = closure.id
        self.recordsHistory = closure.recordsHistory
        self.factory = closure.factory
        self.key = closure.key
    }

    /// `factory/key`: how messages name the instance.
    private(set) lazy var instance = factory + "/" + key

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
        let address = CellAddress(closureID: closureID, name: name)
        let live = storage.liveCell(at: address) as? PersistentCell<Value>
        let codec = CellCodec<Value>.make()
        let cell = live ?? PersistentCell(
            name: name, closureID: closureID, instance: instance, storage: storage, codec: codec, recordsHistory: recordsHistory)
        do {
            if let newest = try storage.newestVersion(closureID: closureID, name: name), let record = newest.cell {
                cell.cache(try codec.decode(record, instance: instance), storedAs: record.value, sequence: newest.sequence)
            } else {
                try NameRules.validate(name, as: "cell name")
                let value = defaultValue()
                let record = try codec.record(named: name, holding: value, instance: instance)
                let sequence = try storage.insertCell(closureID: closureID, record, recordsHistory: recordsHistory)
                cell.cache(value, storedAs: record.value, sequence: sequence)
            }
            if live == nil {
                storage.registerLiveCell(cell, at: address)
            }
        } catch {
            // Reported when the build returns: the build closure cannot throw.
            if firstError == nil { firstError = error }
        }
        return cell
    }

    /// Ends the build; throws the first error a declaration met.
    func finishBuilding() throws {
        isBuilding = false
        if let firstError { throw firstError }
    }
}
