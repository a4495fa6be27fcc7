#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif
#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// A named snapshot of the whole store.
public struct SnapshotInfo: Sendable, Hashable {
    /// The name it was taken under, exactly as given.
    public let name: String
    /// When it was taken.
    public let createdAt: Date
    /// How many instances it holds.
    public let instanceCount: Int
    /// True for the snapshots Cellar keeps of the state just before a
    /// revert, so that the revert can be undone.
    public let isAutomatic: Bool

    init(_ record: SnapshotRecord) {
        name = record.name
        createdAt = parseTimestamp(record.createdAt)
        instanceCount = record.instanceCount
        isAutomatic = record.automatic
    }
}

/// Which instances reverting to a snapshot touches.
public enum SnapshotScope: Sendable, Hashable {
    /// Every instance of the store.
    case everything
    /// The instances of one factory.
    case factory(String)
    /// One instance.
    case instance(InstanceID)

    /// Whether the scope takes in instance `id`.
    func contains(_ id: InstanceID) -> Bool {
        switch self {
        case .everything: true
        case .factory(let factory): id.factory == factory
        case .instance(let only): id == only
        }
    }

    /// The one factory the scope is limited to, if any.
    var factory: String? {
        switch self {
        case .everything: nil
        case .factory(let factory): factory
        case .instance(let id): id.factory
        }
    }
}

/// Which snapshots a prune considers.
public enum SnapshotKind: Sendable, Hashable {
    /// Both kinds.
    case all
    /// The `undo-…` snapshots a revert takes.
    case automatic
    /// The snapshots taken with ``Store/snapshot(named:)``.
    case named

    func contains(_ snapshot: SnapshotRecord) -> Bool {
        switch self {
        case .all: true
        case .automatic: snapshot.automatic
        case .named: !snapshot.automatic
        }
    }
}

/// What reverting to a snapshot did.
public struct SnapshotRevert: Sendable, Hashable {
    /// The instances the revert wrote or removed.
    public let changedInstances: Int
    /// The automatic snapshot of the state just before the revert: revert
    /// to it to undo this one.
    public let undoSnapshot: String
}

/// Named snapshots and backups: going back to an earlier state of the whole
/// store, and standalone copies of it.
extension Store {
    /// Takes a snapshot of every instance and cell, named `name`.
    ///
    /// The copy is of one moment even while other processes write: it is
    /// taken inside one write transaction.
    ///
    /// - Parameter name: Follows the naming rules of keys (<doc:KeysAndNames>).
    /// - Throws: ``SnapshotError/snapshotExists(_:)``, ``CellError``, ``StoreError``.
    @discardableResult
    public func snapshot(named name: String) throws -> SnapshotInfo {
        try NameRules.validate(name, as: "snapshot name")
        return try engines.write { session in
            guard try session.snapshot(named: name) == nil else { throw SnapshotError.snapshotExists(name) }
            try session.insertSnapshot(named: name, automatic: false)
            guard let record = try session.snapshot(named: name) else { preconditionFailure("the snapshot just taken is missing") }
            return SnapshotInfo(record)
        }
    }

    /// Every snapshot of the store, oldest first, read from one committed state.
    public func snapshots() throws -> [SnapshotInfo] {
        try engines.read { session in try session.snapshots().map(SnapshotInfo.init) }
    }

    /// Deletes the snapshot `name`.
    /// - Throws: ``SnapshotError/unknownSnapshot(_:)`` if there is none.
    public func deleteSnapshot(named name: String) throws {
        try engines.write { session in
            guard try session.deleteSnapshot(named: name) else { throw SnapshotError.unknownSnapshot(name) }
        }
    }

    /// Brings the store, or the part `scope` names, back to snapshot `name`,
    /// atomically.
    ///
    /// Instances the snapshot holds get exactly its cells; instances in scope
    /// that it does not hold are deleted. Every process using the store sees
    /// the reverted state from its next operation on, closures already held
    /// included. Nothing is lost: the state just before is kept as an
    /// automatic snapshot, named in the result; of those, the newest
    /// ``Options/automaticSnapshotsKept`` are kept.
    ///
    /// For example:
    ///
    /// ```swift
    /// try store.snapshot(named: "before-import")
    /// // ...
    /// let revert = try store.revert(toSnapshot: "before-import", only: .factory("account"))
    /// try store.revert(toSnapshot: revert.undoSnapshot)   // and back again
    /// ```
    ///
    /// - Throws: ``SnapshotError/unknownSnapshot(_:)``, ``StoreError``.
    @discardableResult
    public func revert(toSnapshot name: String, only scope: SnapshotScope = .everything) throws -> SnapshotRevert {
        try engines.write(operation: "revert to snapshot \(name)") { session in
            guard try session.snapshot(named: name) != nil else { throw SnapshotError.unknownSnapshot(name) }
            let undo = try automaticSnapshotName(in: session)
            try session.insertSnapshot(named: undo, automatic: true)
            _ = try deleteSnapshots(of: .automatic, keepingLast: automaticSnapshotsKept, in: session)

            let saved = try session.snapshotInstances(name, factory: scope.factory).filter { scope.contains($0.id) }
            let savedIDs = Set(saved.map(\.id))
            var changed = 0
            for instance in try session.instances(of: scope.factory) where scope.contains(instance.id) && !savedIDs.contains(instance.id) {
                try session.deleteInstance(instance)
                changed += 1
            }
            for instance in saved where try revert(instance, to: name, in: session) {
                changed += 1
            }
            return SnapshotRevert(changedInstances: changed, undoSnapshot: undo)
        }
    }

    /// Deletes the snapshots of `kind` but the newest `count`.
    ///
    /// - Returns: The names of the snapshots deleted, oldest first.
    @discardableResult
    public func pruneSnapshots(_ kind: SnapshotKind = .all, keepingLast count: Int) throws -> [String] {
        precondition(count >= 0, "cannot keep a negative number of snapshots")
        return try engines.write { session in try deleteSnapshots(of: kind, keepingLast: count, in: session) }
    }

    /// Deletes the snapshots of `kind` taken before `cutoff`.
    ///
    /// - Returns: The names of the snapshots deleted, oldest first.
    @discardableResult
    public func pruneSnapshots(_ kind: SnapshotKind = .all, olderThan cutoff: Date) throws -> [String] {
        try engines.write { session in
            let old = try session.snapshots().filter { kind.contains($0) && parseTimestamp($0.createdAt) < cutoff }
            for snapshot in old { _ = try session.deleteSnapshot(named: snapshot.name) }
            return old.map(\.name)
        }
    }

    private func deleteSnapshots(of kind: SnapshotKind, keepingLast count: Int, in session: borrowing Session) throws -> [String] {
        let snapshots = try session.snapshots().filter(kind.contains)  // oldest first
        let old = snapshots.dropLast(count)
        for snapshot in old { _ = try session.deleteSnapshot(named: snapshot.name) }
        return old.map(\.name)
    }

    /// Gives one instance the state snapshot `snapshot` holds; true if that
    /// changed anything.
    private func revert(_ saved: SnapshotInstanceRecord, to snapshot: String, in session: borrowing Session) throws -> Bool {
        let cells = try session.snapshotCells(snapshot, of: saved.id)
        guard let current = try session.instance(saved.id) else {
            let instance = try session.insertInstance(
                saved.id, stateVersion: saved.stateVersion, recordsHistory: true, createdAt: saved.createdAt)
            _ = try session.reconcileCells(of: instance, with: cells, operation: "revert")
            return true
        }
        // The instance keeps its row, so closures other processes hold of it
        // go on working and see the reverted values.
        var changed = false
        if current.stateVersion != saved.stateVersion {
            try session.setStateVersion(saved.stateVersion, of: current)
            changed = true
        }
        return try session.reconcileCells(of: current, with: cells, operation: "revert") > 0 || changed
    }

    /// `undo-2026-11-23T10:15:00.123Z`, with `-2`, `-3`... if taken already.
    private func automaticSnapshotName(in session: borrowing Session) throws -> String {
        let base = "undo-" + formatTimestamp(Date())
        var name = base
        var number = 1
        while try session.snapshot(named: name) != nil {
            number += 1
            name = "\(base)-\(number)"
        }
        return name
    }

    /// Writes a consistent, standalone copy of the store to `path`, which
    /// opens as a store of its own.
    ///
    /// The copy is of one moment while other processes keep writing (on
    /// SQLite, `VACUUM INTO` in one read transaction; on PostgreSQL, a new
    /// SQLite store filled from one read, history and snapshots included:
    /// see ``copy(to:)``), and appears at `path` only once complete.
    ///
    /// - Parameters:
    ///   - path: The backup file.
    ///   - replacingExisting: Replace a file at `path`; when false, an
    ///     existing file makes the backup throw.
    /// - Throws: ``SnapshotError``, ``StoreError``.
    public func backup(to path: String, replacingExisting: Bool = false) throws {
        if !replacingExisting && FileManager.default.fileExists(atPath: path) {
            throw SnapshotError.backupTargetExists(path: path)
        }
        let temporary = path + ".cellar-backup-\(getpid())"
        unlink(temporary)
        do {
            let copied = try engines.fresh { session in try session.backup(to: temporary) }
            if !copied {
                // No file of the store's own to copy (PostgreSQL): a new
                // SQLite store, flushed to disk, filled in one transaction;
                // held exclusively, so that it leaves no change journal beside it.
                try copy(to: try Store(at: temporary, options: .init(durability: .full, sharing: .exclusive)))
            }
        } catch let error as StoreError {
            unlink(temporary)
            switch error {
            case .diskFull: throw SnapshotError.cannotWriteBackup(path: path, reason: "the disk is full")
            case .cannotOpen, .readOnly, .ioError: throw SnapshotError.cannotWriteBackup(path: path, reason: "it cannot be created")
            default: throw error
            }
        }
        // link(2) puts the finished copy in place only if nothing is there,
        // atomically; rename(2) replaces whatever is.
        let placed = replacingExisting ? rename(temporary, path) : link(temporary, path)
        let failure = errno
        if !replacingExisting || placed != 0 { unlink(temporary) }
        guard placed == 0 else {
            if failure == EEXIST { throw SnapshotError.backupTargetExists(path: path) }
            throw SnapshotError.cannotWriteBackup(path: path, reason: String(cString: strerror(failure)))
        }
    }
}
