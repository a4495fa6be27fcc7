#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// History and point-in-time rewind: every committed change to a cell is
/// kept (unless its factory switched history off), and one instance can go
/// back to any moment of it.
extension Store {
    /// The latest changes to instance `id`, oldest first; none if its
    /// factory does not record history. Read from one committed state.
    ///
    /// By default the newest 100: when the list may be cut, compare its
    /// length with ``historyCount(of:since:)``, read in the same
    /// ``read(_:)``. For example:
    ///
    /// ```swift
    /// let (entries, total) = try store.read {
    ///     (try store.history(of: main), try store.historyCount(of: main))
    /// }
    /// if entries.count < total { print("showing the newest \(entries.count) of \(total)") }
    /// ```
    ///
    /// - Parameters:
    ///   - id: The instance.
    ///   - since: Leave out changes committed before this time.
    ///   - limit: At most this many, the newest; `.max` for all.
    /// - Throws: ``HistoryError/unknownInstance(_:)``, ``StoreError``.
    public func history(of id: InstanceID, since: Date? = nil, limit: Int = 100) throws -> [HistoryEntry] {
        try engines.read { session in
            let instance = try existingInstance(id, in: session)
            // Without history, the one version a cell keeps is its value, not its past.
            guard instance.recordsHistory else { return [] }
            return try session.history(of: instance, since: since.map(milliseconds), limit: max(0, limit))
                .reversed().map { HistoryEntry($0, of: id) }
        }
    }

    /// How many changes to instance `id` the history holds, committed at
    /// `since` or later: the length of ``history(of:since:limit:)`` without
    /// a limit. 0 if its factory does not record history.
    ///
    /// - Throws: ``HistoryError/unknownInstance(_:)``, ``StoreError``.
    public func historyCount(of id: InstanceID, since: Date? = nil) throws -> Int {
        try engines.fresh { session in
            let instance = try existingInstance(id, in: session)
            guard instance.recordsHistory else { return 0 }
            return try session.historyCount(of: instance, since: since.map(milliseconds))
        }
    }

    /// Brings instance `id` back to how it was at `time`: each cell gets its
    /// value as of then, cells created since are removed, cells removed
    /// since come back. The rewind is itself a recorded change, so it can be
    /// rewound too. Other instances are untouched; closures of the instance
    /// held anywhere see the rewound values from their next call.
    ///
    /// - Throws: ``HistoryError``, ``StoreError``. Nothing changes when it throws.
    @discardableResult
    public func rewind(_ id: InstanceID, to time: Date) throws -> Rewind {
        let moment = milliseconds(time)
        return try engines.write(operation: "rewind to \(formatTimestamp(time))") { session in
            let instance = try rewindableInstance(id, in: session)
            guard let sequence = try session.lastSequence(of: instance, writtenAtOrBefore: moment) else {
                throw HistoryError.beforeHistory(instance: id, earliest: try earliestHistoryTime(instance, in: session))
            }
            return try rewind(instance, to: sequence, in: session)
        }
    }

    /// Brings instance `id` back to how it was right after history entry
    /// `sequence`. See ``rewind(_:to:)``.
    @discardableResult
    public func rewind(_ id: InstanceID, toSequence sequence: Int) throws -> Rewind {
        try engines.write(operation: "rewind to #\(sequence)") { session in
            let instance = try rewindableInstance(id, in: session)
            guard let bounds = try session.historyBounds(of: instance) else {
                throw HistoryError.beforeHistory(instance: id, earliest: nil)
            }
            guard sequence <= bounds.last.sequence else {
                throw HistoryError.unknownSequence(instance: id, sequence: sequence, last: Int(bounds.last.sequence))
            }
            return try rewind(instance, to: Int64(sequence), in: session)
        }
    }

    private func rewind(_ instance: InstanceRecord, to sequence: Int64, in session: borrowing Session) throws -> Rewind {
        // Pruning before S keeps each cell's last version before S: the state
        // is exact from S - 1 on.
        guard sequence >= instance.historySinceSequence - 1, sequence >= 1 else {
            throw HistoryError.beforeHistory(instance: instance.id, earliest: try earliestHistoryTime(instance, in: session))
        }
        let target = try session.historyState(of: instance, atOrBefore: sequence).compactMap(\.cell)
        let changed = try session.reconcileCells(of: instance, with: target, operation: "rewind")
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
        return try engines.write { session in
            try session.instanceRowIDsWithHistory().reduce(0) { removed, rowID in
                removed + (try session.pruneHistory(
                    ofInstance: rowID, before: try session.historyCutoff(ofInstance: rowID, writtenBefore: moment)))
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
        return try engines.write { session in
            try session.instanceRowIDsWithHistory().reduce(0) { removed, rowID in
                guard let cutoff = try session.historyCutoff(ofInstance: rowID, keepingLast: count) else { return removed }
                return removed + (try session.pruneHistory(ofInstance: rowID, before: cutoff))
            }
        }
    }

    /// When the exact history of `instance` begins, as text for messages.
    private func earliestHistoryTime(_ instance: InstanceRecord, in session: borrowing Session) throws -> String? {
        guard let bounds = try session.historyBounds(of: instance) else { return nil }
        let exact = try session.history(of: instance, since: nil, limit: .max)
            .last { $0.sequence >= instance.historySinceSequence - 1 } ?? bounds.first
        return formatTimestamp(date(milliseconds: exact.at))
    }

    private func existingInstance(_ id: InstanceID, in session: borrowing Session) throws -> InstanceRecord {
        guard let instance = try session.instance(id) else {
            throw HistoryError.unknownInstance(id)
        }
        return instance
    }

    private func rewindableInstance(_ id: InstanceID, in session: borrowing Session) throws -> InstanceRecord {
        let instance = try existingInstance(id, in: session)
        guard instance.recordsHistory else { throw HistoryError.historyOff(id) }
        return instance
    }
}
