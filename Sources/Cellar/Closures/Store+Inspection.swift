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
        try storage.withFreshView { try storage.factoryNames() }
    }

    /// The keys of `factory`'s instances, sorted.
    public func keys(of factory: String) throws -> [String] {
        try storage.withFreshView { try storage.closureRecords(factory: factory).map(\.key) }
    }

    /// True if the store holds the instance `factory/key`.
    public func contains(factory: String, key: String) throws -> Bool {
        try storage.withFreshView { try storage.closureRecord(factory: factory, key: key) != nil }
    }

    /// The cells of instance `factory/key` with their types and values, or
    /// nil if the store has no such instance.
    ///
    /// For example:
    ///
    /// ```swift
    /// let main = try store.inspect(factory: "account", key: "main")
    /// main?.cells.map(\.name)                           // ["balance"]
    /// try main?.cells[0].decode(as: Int.self)           // 150
    /// ```
    public func inspect(factory: String, key: String) throws -> ClosureInspection? {
        try storage.withFreshView {
            guard let closure = try storage.closureRecord(factory: factory, key: key) else { return nil }
            let cells = try storage.cellRecords(closureID: closure.id).map(CellInspection.init)
            return ClosureInspection(closure, cells: cells)
        }
    }

    /// The version of the store file's schema: the number of the last
    /// migration in `Migrations/` applied to it.
    public func schemaVersion() throws -> Int {
        try storage.withFreshView { try storage.schemaVersion() }
    }
}

/// One closure instance as stored: what `cellar inspect factory/key` shows.
public struct ClosureInspection: Sendable, Hashable {
    /// The name of the factory that built the instance.
    public let factory: String
    /// The key that names the instance.
    public let key: String
    /// The factory state version the cells are shaped for.
    public let stateVersion: Int
    /// When the instance was first restored.
    public let createdAt: Date
    /// The instance's cells, sorted by name.
    public let cells: [CellInspection]

    init(_ record: ClosureRecord, cells: [CellInspection]) {
        factory = record.factory
        key = record.key
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

    init(_ record: CellRecord) {
        name = record.name
        typeName = record.type
        value = StoredValue(record)
        self.record = record
    }

    /// The value as a `Value`, which must be the cell's type.
    ///
    /// - Throws: ``CellError/typeMismatch(instance:cell:storedType:requestedType:)``
    ///   if the cell holds another type.
    public func decode<Value: Codable & Sendable>(as type: Value.Type = Value.self) throws -> Value {
        try CellCodec<Value>.make().decode(record, instance: "cell '\(name)'")
    }
}

/// A stored value, as SQLite holds it.
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
