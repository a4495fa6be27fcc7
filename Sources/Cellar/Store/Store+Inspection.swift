#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// Read-only inspection, the analogue of Python's `f.__closure__` and
/// `cell_contents`: which instances a store holds, and what their cells hold.
/// Nothing here can change a cell.
extension Store {
    /// The names of the factories that have instances in the store, sorted.
    public func factoryNames() throws -> [String] {
        try engines.read { session in try session.factoryNames() }
    }

    /// The keys of `factory`'s instances, sorted.
    public func keys(of factory: String) throws -> [String] {
        try engines.read { session in try session.instances(of: factory).map(\.id.key) }
    }

    /// True if the store holds the instance `id`.
    public func contains(_ id: InstanceID) throws -> Bool {
        try engines.fresh { session in try session.instance(id) != nil }
    }

    /// The cells of instance `id` with their types and values, or nil if the
    /// store has no such instance. The instance and its cells are read from
    /// one committed state.
    ///
    /// For example:
    ///
    /// ```swift
    /// let main = try store.inspect(InstanceID(factory: "account", key: "main"))
    /// main?.cells.map(\.name)                           // ["balance"]
    /// try main?[cell: "balance"]?.decode(as: Int.self)  // 150
    /// ```
    public func inspect(_ id: InstanceID) throws -> InstanceInspection? {
        try engines.read { session in
            guard let instance = try session.instance(id) else { return nil }
            return InstanceInspection(instance, cells: try session.cells(of: instance).map { CellInspection($0, of: id) })
        }
    }

    /// The version of the store's schema: the number of the last migration
    /// of its backend's `Migrations/` folder applied to it.
    public func schemaVersion() throws -> Int {
        try engines.fresh { session in try session.schemaVersion() }
    }
}

/// One instance as stored: what `cellar inspect factory/key` shows.
public struct InstanceInspection: Sendable, Hashable {
    /// The instance's factory and key.
    public let id: InstanceID
    /// The factory state version the cells are shaped for.
    public let stateVersion: Int
    /// When the instance was first restored.
    public let createdAt: Date
    /// The instance's cells, sorted by name.
    public let cells: [CellInspection]

    init(_ record: InstanceRecord, cells: [CellInspection]) {
        id = record.id
        stateVersion = record.stateVersion
        createdAt = parseTimestamp(record.createdAt)
        self.cells = cells
    }


    /// The cell named `name`, if there is one.
    public subscript(cell name: String) -> CellInspection? {
        cells.first { $0.name == name }
    }
}

/// One cell as stored: its name, the Swift type it holds and its value.
public struct CellInspection: Sendable, Hashable {
    /// The cell's name within its instance.
    public let name: String
    /// The Swift type's name, e.g. `Int` or `Array<Task>`.
    public let typeName: String
    /// The stored value.
    public let value: StoredValue
    /// The row as stored, so that `decode(as:)` reads exactly what is there.
    private let record: CellRecord
    private let instance: InstanceID

    init(_ record: CellRecord, of instance: InstanceID) {
        name = record.name
        typeName = record.type
        value = StoredValue(record)
        self.record = record
        self.instance = instance
    }

    /// The value as a `Value`, which must be the cell's type.
    ///
    /// - Throws: ``CellError/typeMismatch(instance:cell:storedType:requestedType:)``
    ///   if the cell holds another type.
    public func decode<Value: Codable & Sendable>(as type: Value.Type = Value.self) throws -> Value {
        try CellCodec<Value>.make().decode(record, instance: instance)
    }
}

/// A stored value, as the store holds it.
public enum StoredValue: Sendable, Hashable, CustomStringConvertible {
    /// SQL NULL: an optional cell holding `nil`.
    case null
    /// An integer, including `Bool` (0 or 1).
    case integer(Int64)
    /// A floating-point number.
    case real(Double)
    /// A string (or an integer beyond `Int64`, as decimal text).
    case text(String)
    /// Bytes: a `Data` cell.
    case blob(Data)
    /// A `Codable` value stored as JSON text.
    case json(String)

    init(_ record: CellRecord) {
        switch (record.encoding, record.value) {
        case (.json, .text(let json)): self = .json(json)
        case (_, .null): self = .null
        case (_, .integer(let value)): self = .integer(value)
        case (_, .real(let value)): self = .real(value)
        case (_, .text(let value)): self = .text(value)
        case (_, .blob(let value)): self = .blob(value)
        }
    }

    /// The value as `cellar inspect` prints it: numbers and JSON as they
    /// are, text in double quotes, blobs in hexadecimal.
    public var description: String {
        switch self {
        case .null: "null"
        case .integer(let value): String(value)
        case .real(let value): String(value)
        case .text(let value): "\"\(value)\""
        case .blob(let value): "x'" + value.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined() + "'"
        case .json(let value): value
        }
    }
}
