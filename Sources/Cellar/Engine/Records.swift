#if canImport(FoundationEssentials)
internal import FoundationEssentials
#else
internal import Foundation
#endif

// The rows Cellar keeps, as Swift values: what a backend hands up and takes
// down, whatever its SQL dialect and column types.

/// A stored value, as any backend keeps it: the five kinds of value a cell
/// column holds. JSON-encoded cells hold `.text`; their ``CellEncoding``
/// says so, and a backend may store them in a JSON column of its own.
enum CellValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob(Data)

    /// The kind of value, as messages name it: `integer`, `text`...
    var kind: String {
        switch self {
        case .null: "null"
        case .integer: "integer"
        case .real: "real"
        case .text: "text"
        case .blob: "blob"
        }
    }

    /// The value as a short text for error messages.
    var shortDescription: String {
        switch self {
        case .null: "NULL"
        case .integer(let value): String(value)
        case .real(let value): String(value)
        case .text(let value): quoted(value)
        case .blob(let value): "of \(value.count) bytes"
        }
    }
}

/// How a cell's value is kept.
enum CellEncoding: String, Sendable {
    /// As the value itself: integer, real, text, blob or null.
    case native
    /// As JSON text.
    case json
}

/// An instance's row: what factory `factory` built for `key`.
struct InstanceRecord: Sendable, Equatable {
    /// The row's id: never reused, so cells of a deleted instance cannot
    /// write into a new one of the same name.
    let rowID: Int64
    let id: InstanceID
    let stateVersion: Int
    /// ISO 8601, UTC, milliseconds.
    let createdAt: String
    /// Whether changes to its cells are written to the history.
    let recordsHistory: Bool
    /// History rows before this sequence number were pruned (but for each
    /// cell's last one): rewinding further back is not possible.
    let historySinceSequence: Int64
}

/// A cell's stored state, less its address.
struct CellRecord: Sendable, Hashable {
    let name: String
    /// The Swift type's name, e.g. `Int` or `Array<Task>`.
    let type: String
    let encoding: CellEncoding
    let value: CellValue

    /// The same cell under another name.
    func renamed(_ newName: String) -> CellRecord {
        CellRecord(name: newName, type: type, encoding: encoding, value: value)
    }
}

/// One committed change to a cell: a row of the history.
struct HistoryRecord: Sendable, Equatable {
    let instanceRowID: Int64
    /// The change's number within its instance: 1, 2, 3...
    let sequence: Int64
    let name: String
    /// The cell's state after the change; nil when the change removed it.
    let cell: CellRecord?
    let operation: String?
    /// Milliseconds since 1970, UTC.
    let at: Int64
}

/// Where a cell lives: its instance's row and its name.
struct CellAddress: Hashable, Sendable {
    let instanceRowID: Int64
    let name: String
}

/// A named snapshot's row.
struct SnapshotRecord: Sendable, Equatable {
    let name: String
    /// ISO 8601, UTC, milliseconds.
    let createdAt: String
    let automatic: Bool
    let instanceCount: Int
}

/// An instance as a snapshot holds it.
struct SnapshotInstanceRecord: Sendable, Equatable {
    let id: InstanceID
    let stateVersion: Int
    let createdAt: String
}

/// What a watch follows: the whole store, one factory's instances, one
/// instance, or one cell.
enum ChangeScope: Sendable, Equatable {
    case store
    case factory(String)
    case instance(InstanceID)
    case cell(InstanceID, String)

    /// The factory the scope is limited to, if it is.
    var factory: String? {
        switch self {
        case .store: nil
        case .factory(let factory): factory
        case .instance(let id), .cell(let id, _): id.factory
        }
    }

    /// The instance the scope is limited to, if it is.
    var instance: InstanceID? {
        switch self {
        case .store, .factory: nil
        case .instance(let id), .cell(let id, _): id
        }
    }

    /// The cell the scope is limited to, if it is.
    var cell: String? {
        if case .cell(_, let name) = self { return name }
        return nil
    }
}

/// One committed change, numbered store-wide: a new version of a cell, or
/// the deletion of an instance.
struct ChangeRecord: Sendable, Equatable {
    /// The store-wide change number: changes commit in its order.
    let number: Int64
    let instance: InstanceID
    /// The cell's version the change wrote; nil when it deleted the instance.
    let version: HistoryRecord?
    /// Milliseconds since 1970, UTC.
    let at: Int64
}
