#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// One committed change, as a watch sees it: a cell's new value, its
/// removal, or the deletion of a whole instance.
///
/// Changes are numbered store-wide, in the order they committed. A watch
/// can resume after any of them: pass its ``number`` as `after:` (see
/// ``Store/changes(after:)``).
public struct Change: Sendable, Hashable {
    /// The change's number in the store: every change commits after the
    /// lower-numbered ones. Numbers grow, but not one by one.
    public let number: Int
    /// The instance it changed.
    public let instance: InstanceID
    /// What the change did.
    public let kind: Kind
    /// When it was committed.
    public let time: Date
    private let entry: HistoryEntry?

    /// What a change did.
    public enum Kind: Sendable, Hashable {
        /// The cell was created or got a new value.
        case set
        /// The cell was removed (a state migration or a rewind).
        case removed
        /// The instance was deleted, with all its cells.
        case instanceDeleted
    }

    init(_ record: ChangeRecord) {
        number = Int(record.number)
        instance = record.instance
        time = date(milliseconds: record.at)
        entry = record.version.map { HistoryEntry($0, of: record.instance) }
        kind = switch record.version {
        case nil: .instanceDeleted
        case let version?: version.cell == nil ? .removed : .set
        }
    }

    /// The cell it changed; nil when it deleted the instance.
    public var cell: String? { entry?.cell }
    /// The change's number within its instance (see ``HistoryEntry/sequence``);
    /// nil when it deleted the instance. Without history, a cell's value is
    /// rewritten in place and keeps its number.
    public var sequence: Int? { entry?.sequence }
    /// What made the change, e.g. `"deposit"`; `"delete"` for a deletion.
    public var operation: String? { entry.map(\.operation) ?? "delete" }
    /// The cell's Swift type after the change; nil when the cell or its instance is gone.
    public var typeName: String? { entry?.typeName }
    /// The cell's value after the change; nil when the cell or its instance is gone.
    public var value: StoredValue? { entry?.value }

    /// The value after the change as a `Value`, which must be the cell's type.
    ///
    /// - Throws: ``CellError/noSuchCell(instance:cell:)`` when the change
    ///   removed the cell or deleted its instance;
    ///   ``CellError/typeMismatch(instance:cell:storedType:requestedType:)``
    ///   for another type.
    public func decode<Value: Codable & Sendable>(as type: Value.Type = Value.self) throws -> Value {
        guard let entry else { throw CellError.noSuchCell(instance: instance, cell: "") }
        return try entry.decode(as: type)
    }
}
