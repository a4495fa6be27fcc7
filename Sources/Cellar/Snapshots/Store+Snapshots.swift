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
    /// restore, so that the restore can be undone.
    public let isAutomatic: Bool

    init(_ record: SnapshotRecord) {
        name = record.name
        createdAt = parseTimestamp(record.createdAt)
        instanceCount = record.instanceCount
        isAutomatic = record.automatic
    }
}

/// Which instances a snapshot restore touches.
public enum RestoreScope: Sendable, Hashable {
    /// Every instance of the store.
    case everything
    /// The instances of one factory.
    case factory(String)
    /// One instance.
    case instance(factory: String, key: String)
}

/// What a snapshot restore did.
public struct SnapshotRestore: Sendable, Hashable {
    /// The instances the restore wrote or removed.
    public let changedInstances: Int
    /// The automatic snapshot of the state just before the restore: restore
    /// it to undo this one.
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
        return try storage.transaction {
            guard try storage.snapshotRecord(named: name) == nil else { throw SnapshotError.snapshotExists(name) }
            try storage.insertSnapshot(named: name, automatic: false)
            return SnapshotInfo(try storage.snapshotRecord(named: name)!)
        }
    }

    /// Every snapshot of the store, oldest first.
    public func snapshots() throws -> [SnapshotInfo] {
        try storage.withFreshView { try storage.snapshotRecords().map(SnapshotInfo.init) }
    }

    /// Deletes the snapshot `name`.
    /// - Throws: ``SnapshotError/unknownSnapshot(_:)`` if there is none.
    public func deleteSnapshot(named name: String) throws {
        try storage.transaction {
            guard try storage.deleteSnapshot(named: name) else { throw SnapshotError.unknownSnapshot(name) }
        }
    }

    /// Brings the store, or the part `scope` names, back to snapshot `name`,
    /// atomically.
    ///
    /// Instances the snapshot holds get exactly its cells; instances in scope
    /// that it does not hold are deleted. Every process using the store sees
    /// the restored state from its next operation on. Nothing is lost: the
    /// state just before is kept as an automatic snapshot, named in the result.
    ///
    /// - Throws: ``SnapshotError/unknownSnapshot(_:)``, ``StoreError``.
    @discardableResult
    public func restore(snapshot name: String, only scope: RestoreScope = .everything) throws -> SnapshotRestore {
        try storage.transaction(operation: "restore snapshot \(name)") {
            guard try storage.snapshotRecord(named: name) != nil else { throw SnapshotError.unknownSnapshot(name) }
            let undo = try automaticSnapshotName()
            try storage.insertSnapshot(named: undo, automatic: true)

            let factory: String? = switch scope {
            case .everything: nil
            case .factory(let factory), .instance(let factory, _): factory
            }
            let inScope = { (key: String) in
                if case .instance(_, let only) = scope { return key == only }
                return true
            }
            let saved = try storage.snapshotClosures(name, factory: factory).filter { inScope($0.key) }
            let savedKeys = Set(saved.map { "\($0.factory)/\($0.key)" })
            var changed = 0
            for closure in try storage.closureRecords(factory: factory)
            where inScope(closure.key) && !savedKeys.contains("\(closure.factory)/\(closure.key)") {
                try storage.deleteClosure(closure)
                changed += 1
            }
            for instance in saved where try restore(instance, from: name) {
                changed += 1
            }
            storage.invalidateCachedValues()
            return SnapshotRestore(changedInstances: changed, undoSnapshot: undo)
        }
    }

    /// Gives one instance the state snapshot `snapshot` holds; true if that
    /// changed anything.
    private func restore(_ saved: SnapshotClosureRecord, from snapshot: String) throws -> Bool {
        let cells = try storage.snapshotCells(snapshot, factory: saved.factory, key: saved.key)
        guard let current = try storage.closureRecord(factory: saved.factory, key: saved.key) else {
            let closure = try storage.insertClosure(
                factory: saved.factory, key: saved.key, stateVersion: saved.stateVersion, recordsHistory: true,
                createdAt: saved.createdAt)
            for cell in cells { try storage.insertCell(closureID: closure.id, cell, recordsHistory: closure.recordsHistory) }
            return true
        }
        // The instance keeps its row, so closures other processes hold of it
        // go on working and see the restored values.
        var changed = false
        if current.stateVersion != saved.stateVersion {
            try storage.setStateVersion(saved.stateVersion, ofClosure: current.id)
            changed = true
        }
        let savedNames = Set(cells.map(\.name))
        for cell in try storage.cellRecords(closureID: current.id) where !savedNames.contains(cell.name) {
            try storage.deleteCell(closureID: current.id, name: cell.name, recordsHistory: current.recordsHistory, defaultOperation: "restore")
            changed = true
        }
        let currentCells = Dictionary(uniqueKeysWithValues: try storage.cellRecords(closureID: current.id).map { ($0.name, $0) })
        for cell in cells where currentCells[cell.name] != cell {
            try storage.replaceCell(closureID: current.id, cell, recordsHistory: current.recordsHistory, defaultOperation: "restore")
            changed = true
        }
        return changed
    }

    /// `undo-2026-11-23T10:15:00.123Z`, with `-2`, `-3`... if taken already.
    private func automaticSnapshotName() throws -> String {
        let base = "undo-" + formatTimestamp(Date())
        var name = base
        var number = 1
        while try storage.snapshotRecord(named: name) != nil {
            number += 1
            name = "\(base)-\(number)"
        }
        return name
    }

    /// Writes a consistent, standalone copy of the store to `path`, which
    /// opens as a store of its own.
    ///
    /// The copy is of one moment while other processes keep writing (SQLite's
    /// `VACUUM INTO`, in one read transaction), and appears at `path` only
    /// once complete.
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
            try storage.vacuum(into: temporary)
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
