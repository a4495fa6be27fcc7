#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// One committed change to a cell, as the history keeps it.
public struct HistoryEntry: Sendable, Hashable {
    /// The change's number within its instance: 1, 2, 3...
    public let sequence: Int
    /// When it was committed.
    public let time: Date
    /// The instance it changed.
    public let instance: InstanceID
    /// The cell it changed.
    public let cell: String
    /// The cell's Swift type after the change; nil when the change removed the cell.
    public let typeName: String?
    /// The cell's value after the change; nil when the change removed the cell.
    public let value: StoredValue?
    /// What made the change, e.g. `"deposit"`, `"create"`, `"rewind to #3"`.
    public let operation: String?
    private let record: CellRecord?

    init(_ history: HistoryRecord, of instance: InstanceID) {
        sequence = Int(history.sequence)
        time = date(milliseconds: history.at)
        self.instance = instance
        cell = history.name
        typeName = history.cell?.type
        value = history.cell.map(StoredValue.init)
        operation = history.operation
        record = history.cell
    }

    /// The value after the change as a `Value`, which must be the cell's type.
    public func decode<Value: Codable & Sendable>(as type: Value.Type = Value.self) throws -> Value {
        guard let record else { throw CellError.noSuchCell(instance: instance, cell: cell) }
        return try CellCodec<Value>.make().decode(record, instance: instance)
    }
}

/// What a rewind did.
public struct Rewind: Sendable, Hashable {
    /// The history entry the instance now matches.
    public let sequence: Int
    /// How many cells the rewind changed, created or removed.
    public let changedCells: Int
}
