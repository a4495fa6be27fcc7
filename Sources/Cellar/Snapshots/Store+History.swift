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
    public let factory: String
    public let key: String
    /// The cell it changed.
    public let cell: String
    /// The cell's Swift type after the change; nil when the change removed the cell.
    public let typeName: String?
    /// The cell's value after the change; nil when the change removed the cell.
    public let value: StoredValue?
    /// What made the change, e.g. `"deposit"`, `"create"`, `"rewind to #3"`.
    public let operation: String?
    private let record: CellRecord?

    init(_ history: HistoryRecord, factory: String, key: String) {
        sequence = Int(history.sequence)
        time = Date(timeIntervalSince1970: Double(history.at) / 1000)
        self.factory = factory
        self.key = key
        cell = history.name
        typeName = history.cell?.type
        value = history.cell.map(StoredValue.init)
        operation = history.operation
        record = history.cell
    }

    /// The value after the change as a `Value`, which must be the cell's type.
    public func decode<Value: Codable & Sendable>(as type: Value.Type = Value.self) throws -> Value {
        guard let record else { throw CellError.noSuchCell(instance: "\(factory)/\(key)", cell: cell) }
        return try CellCodec<Value>.make().decode(record, instance: "\(factory)/\(key)")
    }
}

/// What a rewind did.
public struct Rewind: Sendable, Hashable {
    /// The history entry the instance now matches.
    public let sequence: Int
    /// How many cells the rewind changed, created or removed.
    public let changedCells: Int
}

/// A history or rewind that cannot be done as asked; nothing changed.
public enum HistoryError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The store has no such instance.
    case unknownInstance(String)
    /// The instance's factory does not record history.
    case historyOff(String)
    /// The time or number asked for is before the history the store keeps.
    case beforeHistory(instance: String, earliest: String?)
    /// The instance has no history entry with this number.
    case unknownSequence(instance: String, sequence: Int, last: Int)

    public var description: String {
        switch self {
        case .unknownInstance(let instance):
            "There is no instance \(quoted(instance)) in the store."
        case .historyOff(let instance):
            "\(instance) keeps no history (its factory switched it off), so it cannot be rewound."
        case .beforeHistory(let instance, let earliest):
            if let earliest {
                "That is before the history of \(instance) begins (\(earliest)); choose a later time or entry."
            } else {
                "\(instance) has no history yet; there is nothing to rewind to."
            }
        case .unknownSequence(let instance, let sequence, let last):
            "\(instance) has no history entry #\(sequence) (its last is #\(last)); choose one its history lists."
        }
    }
}

/// History and point-in-time restore: every committed change to a cell is
/// kept (unless its factory switched history off), and one instance can go
/// back to any moment of it.
extension Store {
    /// The latest changes to instance `factory/key`, oldest first; none if
    /// its factory does not record history.
    ///
    /// - Parameters:
    ///   - factory: The instance's factory name.
    ///   - key: The instance's key.
    ///   - since: Leave out changes committed before this time.
    ///   - limit: At most this many, the newest.
    /// - Throws: ``HistoryError/unknownInstance(_:)``, ``StoreError``.
    public func history(factory: String, key: String, since: Date? = nil, limit: Int = 100) throws -> [HistoryEntry] {
        try storage.withFreshView {
            let closure = try existingClosure(factory: factory, key: key)
            // Without history, the one row a cell keeps is its value, not its past.
            guard closure.recordsHistory else { return [] }
            return try storage.history(closureID: closure.id, since: since.map(milliseconds), limit: max(0, limit))
                .reversed().map { HistoryEntry($0, factory: factory, key: key) }
        }
    }

    /// Brings instance `factory/key` back to how it was at `time`: each cell
    /// gets its value as of then, cells created since are removed, cells
    /// removed since come back. The rewind is itself a recorded change, so
    /// it can be rewound too. Other instances are untouched.
    ///
    /// - Throws: ``HistoryError``, ``StoreError``. Nothing changes when it throws.
    @discardableResult
    public func rewind(factory: String, key: String, to time: Date) throws -> Rewind {
        let moment = milliseconds(time)
        return try storage.transaction(operation: "rewind to \(formatTimestamp(time))") {
            let closure = try rewindableClosure(factory: factory, key: key)
            guard let sequence = try storage.lastHistorySequence(closureID: closure.id, atOrBefore: moment) else {
                throw HistoryError.beforeHistory(instance: "\(factory)/\(key)", earliest: try earliestHistoryTime(closure))
            }
            return try rewind(closure, to: sequence)
        }
    }

    /// Brings instance `factory/key` back to how it was right after history
    /// entry `sequence`. See ``rewind(factory:key:to:)``.
    @discardableResult
    public func rewind(factory: String, key: String, toSequence sequence: Int) throws -> Rewind {
        try storage.transaction(operation: "rewind to #\(sequence)") {
            let closure = try rewindableClosure(factory: factory, key: key)
            guard let bounds = try storage.historyBounds(closureID: closure.id) else {
                throw HistoryError.beforeHistory(instance: "\(factory)/\(key)", earliest: nil)
            }
            guard sequence <= bounds.last.sequence else {
                throw HistoryError.unknownSequence(instance: "\(factory)/\(key)", sequence: sequence, last: Int(bounds.last.sequence))
            }
            return try rewind(closure, to: Int64(sequence))
        }
    }

    private func rewind(_ closure: ClosureRecord, to sequence: Int64) throws -> Rewind {
        let instance = "\(closure.factory)/\(closure.key)"
        // Pruning before S keeps each cell's last row before S: the state is
        // exact from S - 1 on.
        guard sequence >= closure.historySinceSequence - 1, sequence >= 1 else {
            throw HistoryError.beforeHistory(instance: instance, earliest: try earliestHistoryTime(closure))
        }
        let target = Dictionary(uniqueKeysWithValues: try storage.historyState(closureID: closure.id, atOrBefore: sequence)
            .compactMap { entry in entry.cell.map { (entry.name, $0) } })
        var changed = 0
        for cell in try storage.cellRecords(closureID: closure.id) where target[cell.name] == nil {
            try storage.deleteCell(closureID: closure.id, name: cell.name, recordsHistory: true, defaultOperation: "rewind")
            changed += 1
        }
        let current = Dictionary(uniqueKeysWithValues: try storage.cellRecords(closureID: closure.id).map { ($0.name, $0) })
        for (name, cell) in target.sorted(by: { $0.key < $1.key }) where current[name] != cell {
            try storage.replaceCell(closureID: closure.id, cell, recordsHistory: true, defaultOperation: "rewind")
            changed += 1
        }
        storage.invalidateCachedValues()
        return Rewind(sequence: Int(sequence), changedCells: changed)
    }

    /// Removes history committed before `cutoff`, in every instance, but
    /// what rewinding to `cutoff` or later needs (each cell's last change
    /// before it). Snapshots are full copies and never need history.
    ///
    /// - Returns: How many history entries were removed.
    @discardableResult
    public func pruneHistory(olderThan cutoff: Date) throws -> Int {
        let moment = milliseconds(cutoff)
        return try storage.transaction {
            try storage.closureIDsWithHistory().reduce(0) { removed, closureID in
                removed + (try storage.pruneHistory(
                    closureID: closureID, before: try storage.historyCutoff(closureID: closureID, writtenBefore: moment)))
            }
        }
    }

    /// Keeps the last `count` history entries of every instance (and each
    /// cell's last change before them), removing the rest.
    ///
    /// - Returns: How many history entries were removed.
    @discardableResult
    public func pruneHistory(keepingLast count: Int) throws -> Int {
        precondition(count >= 0, "cannot keep a negative number of entries")
        return try storage.transaction {
            try storage.closureIDsWithHistory().reduce(0) { removed, closureID in
                guard let cutoff = try storage.historyCutoff(closureID: closureID, keepingLast: count) else { return removed }
                return removed + (try storage.pruneHistory(closureID: closureID, before: cutoff))
            }
        }
    }

    /// When the exact history of `closure` begins, as text for messages.
    private func earliestHistoryTime(_ closure: ClosureRecord) throws -> String? {
        guard let bounds = try storage.historyBounds(closureID: closure.id) else { return nil }
        let exact = try storage.history(closureID: closure.id, since: nil, limit: .max)
            .last { $0.sequence >= closure.historySinceSequence - 1 } ?? bounds.first
        return formatTimestamp(Date(timeIntervalSince1970: Double(exact.at) / 1000))
    }

    private func existingClosure(factory: String, key: String) throws -> ClosureRecord {
        guard let closure = try storage.closureRecord(factory: factory, key: key) else {
            throw HistoryError.unknownInstance("\(factory)/\(key)")
        }
        return closure
    }

    private func rewindableClosure(factory: String, key: String) throws -> ClosureRecord {
        let closure = try existingClosure(factory: factory, key: key)
        guard closure.recordsHistory else { throw HistoryError.historyOff("\(factory)/\(key)") }
        return closure
    }
}

/// Reads the `strftime('%Y-%m-%dT%H:%M:%fZ')` timestamps the schema writes.
func parseTimestamp(_ text: String) -> Date {
    (try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text)) ?? Date(timeIntervalSince1970: 0)
}

/// Spells `date` as ISO 8601 in UTC with milliseconds, as the schema writes
/// times. The style cuts the fraction rather than rounding it: half a
/// microsecond more prints the millisecond a `Date` was made from.
func formatTimestamp(_ date: Date) -> String {
    date.addingTimeInterval(0.000_000_5).formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
}

/// `date` as the history's `at` column holds it: milliseconds since 1970,
/// to the nearest (a `Date` is a floating-point count of seconds since 2001).
func milliseconds(_ date: Date) -> Int64 {
    Int64((date.timeIntervalSince1970 * 1000).rounded())
}

/// Now, as the `at` column holds it: milliseconds since 1970.
func currentMilliseconds() -> Int64 {
    milliseconds(Date())
}
