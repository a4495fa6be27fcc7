/// The engine while one operation holds its lock: the queries and changes
/// the logic of cells, instances, history and snapshots needs.
///
/// An ``Engine`` entry point hands a session into its body. The session is
/// noncopyable and borrowed, so it cannot be stored or escape the body:
/// whatever it does happens under the lock, inside the transaction the
/// entry point opened, and nothing locks again.
///
/// Writes that do not go through a cell (`replaceCell`, `deleteInstance`...)
/// tell the engine, so that every cell in memory reads its value again: no
/// caller has to remember to.
struct Session: ~Copyable {
    // The engine outlives the session: the session exists only while one of
    // the engine's methods runs.
    private unowned(unsafe) let engine: Engine

    init(engine: Engine) {
        self.engine = engine
    }

    private var backend: any StorageBackend { engine.backend }

    /// See ``Engine/generation``.
    var generation: UInt64 { engine.generation }
    /// See ``Engine/usesCellCaches``.
    var usesCellCaches: Bool { engine.usesCellCaches }

    // MARK: Cells in use

    /// The live cell object for `address`, or the one `make` makes, so
    /// that restoring a key twice in one process gives closures that share
    /// the same cells.
    func liveCell<Cell: AnyObject>(at address: CellAddress, orMake make: () -> Cell) -> Cell {
        engine.liveCells.cell(at: address, orMake: make)
    }

    // MARK: Instances

    func instance(_ id: InstanceID) throws -> InstanceRecord? {
        try backend.instance(id)
    }

    func instance(rowID: Int64) throws -> InstanceRecord? {
        try backend.instance(rowID: rowID)
    }

    /// The instances of `factory` (of every factory when nil), sorted.
    func instances(of factory: String?) throws -> [InstanceRecord] {
        guard let factory else {
            return try backend.factoryNames().flatMap { try backend.instances(of: $0) }
        }
        return try backend.instances(of: factory)
    }

    func factoryNames() throws -> [String] {
        try backend.factoryNames()
    }

    func insertInstance(_ id: InstanceID, stateVersion: Int, recordsHistory: Bool, createdAt: String? = nil) throws -> InstanceRecord {
        try backend.insertInstance(id, stateVersion: stateVersion, recordsHistory: recordsHistory, createdAt: createdAt)
    }

    func setStateVersion(_ version: Int, of instance: InstanceRecord) throws {
        try backend.setStateVersion(version, ofInstance: instance.rowID)
        engine.storedStateChanged()
    }

    func setRecordsHistory(_ recordsHistory: Bool, of instance: InstanceRecord) throws {
        try backend.setRecordsHistory(recordsHistory, ofInstance: instance.rowID)
    }

    /// Deletes an instance, its cells and their history.
    func deleteInstance(_ instance: InstanceRecord) throws {
        try backend.deleteInstance(rowID: instance.rowID)
        engine.storedStateChanged()
    }

    // MARK: Cells

    func newestVersion(of cell: CellAddress) throws -> HistoryRecord? {
        try backend.newestVersion(of: cell)
    }

    /// The cell's current state; nil if it does not exist (or was removed).
    func cell(_ cell: CellAddress) throws -> CellRecord? {
        try backend.newestVersion(of: cell)?.cell
    }

    /// The instance's current cells, sorted by name.
    func cells(of instance: InstanceRecord) throws -> [CellRecord] {
        try backend.newestVersions(ofInstance: instance.rowID).compactMap(\.cell)
    }

    /// Adds cell `record` to an instance, the first time the instance is
    /// restored with it; returns the sequence of its version. Changes no
    /// value a cell in memory holds.
    func createCell(_ record: CellRecord, in instance: InstanceRecord) throws -> Int64 {
        try putCell(record, in: instance, defaultOperation: "create")
    }

    /// Writes a new value into a cell that still holds a value of
    /// `record.type`; returns the sequence of the version that holds it, or
    /// nil if there is no such cell (deleted, renamed or retyped meanwhile),
    /// and then nothing is written.
    ///
    /// - Parameter knownSequence: The caller read or wrote this cell at the
    ///   current generation, and its newest version, of `record.type`, has
    ///   this sequence: the checks are skipped.
    func writeCellValue(_ record: CellRecord, at address: CellAddress, recordsHistory: Bool, knownSequence: Int64?) throws -> Int64? {
        let operation = engine.history.operation()
        switch (recordsHistory, knownSequence) {
        case (false, let sequence?):
            // The version is known: rewrite it in place, found by its key alone.
            return try backend.rewriteVersion(of: address, sequence: sequence, value: record.value, operation: operation) ? sequence : nil
        case (false, nil):
            return try backend.rewriteNewestVersion(ofInstance: address.instanceRowID, record, operation: operation)
        case (true, let sequence):
            if sequence == nil {
                guard let current = try backend.newestVersion(of: address)?.cell, current.type == record.type else { return nil }
            }
            return try appendVersion(of: address, record: record, defaultOperation: nil)
        }
    }

    /// Sets a cell's type and value, creating the cell if it is missing.
    func replaceCell(_ record: CellRecord, in instance: InstanceRecord, defaultOperation: String) throws {
        try putCell(record, in: instance, defaultOperation: defaultOperation)
        engine.storedStateChanged()
    }

    func renameCell(_ name: String, to newName: String, in instance: InstanceRecord, defaultOperation: String) throws {
        guard let record = try cell(CellAddress(instanceRowID: instance.rowID, name: name)) else { return }
        try removeCell(name, from: instance, defaultOperation: defaultOperation)
        try replaceCell(record.renamed(newName), in: instance, defaultOperation: defaultOperation)
    }

    func removeCell(_ name: String, from instance: InstanceRecord, defaultOperation: String) throws {
        let address = CellAddress(instanceRowID: instance.rowID, name: name)
        guard try cell(address) != nil else { return }
        if !instance.recordsHistory {
            // Its versions go; the removal stays as its only one, for watches.
            try backend.eraseCell(address)
        }
        try appendVersion(of: address, record: nil, defaultOperation: defaultOperation)
        engine.storedStateChanged()
    }

    /// Gives an instance exactly the cells `target` names: removes the
    /// others, writes those that differ. The loop behind a rewind and a
    /// snapshot's revert. Returns how many cells changed.
    func reconcileCells(of instance: InstanceRecord, with target: [CellRecord], operation: String) throws -> Int {
        let targetNames = Set(target.map(\.name))
        var changed = 0
        let current = try cells(of: instance)
        for cell in current where !targetNames.contains(cell.name) {
            try removeCell(cell.name, from: instance, defaultOperation: operation)
            changed += 1
        }
        let currentByName = Dictionary(uniqueKeysWithValues: current.map { ($0.name, $0) })
        for cell in target.sorted(by: { $0.name < $1.name }) where currentByName[cell.name] != cell {
            try replaceCell(cell, in: instance, defaultOperation: operation)
            changed += 1
        }
        return changed
    }

    /// Writes a cell's new state as its next version, or in place of its
    /// versions when the instance keeps no history.
    @discardableResult
    private func putCell(_ record: CellRecord, in instance: InstanceRecord, defaultOperation: String) throws -> Int64 {
        let address = CellAddress(instanceRowID: instance.rowID, name: record.name)
        if !instance.recordsHistory { try backend.eraseCell(address) }
        return try appendVersion(of: address, record: record, defaultOperation: defaultOperation)
    }

    /// Adds the cell's next version: its new state, or its removal (nil).
    @discardableResult
    private func appendVersion(of address: CellAddress, record: CellRecord?, defaultOperation: String?) throws -> Int64 {
        let sequence = try nextSequence(ofInstance: address.instanceRowID)
        try backend.insertVersion(of: address, sequence: sequence, record: record,
                                  operation: engine.history.operation(default: defaultOperation), at: nil)
        engine.history.remember(lastSequence: sequence, ofInstance: address.instanceRowID, at: engine.generation)
        return sequence
    }

    /// The number the instance's next change gets: one more than its newest
    /// version's. Remembered while no other connection commits and nothing
    /// rolls back (the generation), otherwise read.
    private func nextSequence(ofInstance rowID: Int64) throws -> Int64 {
        if let known = engine.history.lastSequence(ofInstance: rowID, at: engine.generation) {
            return known + 1
        }
        return try backend.newestSequence(ofInstance: rowID) + 1
    }

    // MARK: History

    func history(of instance: InstanceRecord, since: Int64?, limit: Int) throws -> [HistoryRecord] {
        try backend.history(ofInstance: instance.rowID, since: since, limit: limit)
    }

    func historyCount(of instance: InstanceRecord, since: Int64?) throws -> Int {
        try backend.historyCount(ofInstance: instance.rowID, since: since)
    }

    func historyState(of instance: InstanceRecord, atOrBefore sequence: Int64) throws -> [HistoryRecord] {
        try backend.historyState(ofInstance: instance.rowID, atOrBefore: sequence)
    }

    func lastSequence(of instance: InstanceRecord, writtenAtOrBefore time: Int64) throws -> Int64? {
        try backend.lastSequence(ofInstance: instance.rowID, writtenAtOrBefore: time)
    }

    func historyBounds(of instance: InstanceRecord) throws -> (first: HistoryRecord, last: HistoryRecord)? {
        try backend.historyBounds(ofInstance: instance.rowID)
    }

    func instanceRowIDsWithHistory() throws -> [Int64] {
        try backend.instanceRowIDsWithHistory()
    }

    func historyCutoff(ofInstance rowID: Int64, writtenBefore time: Int64) throws -> Int64 {
        try backend.historyCutoff(ofInstance: rowID, writtenBefore: time)
    }

    func historyCutoff(ofInstance rowID: Int64, keepingLast count: Int) throws -> Int64? {
        try backend.historyCutoff(ofInstance: rowID, keepingLast: count)
    }

    /// Removes old versions; values stay as they are (each cell's last
    /// version is kept), so no cell in memory is affected.
    func pruneHistory(ofInstance rowID: Int64, before cutoff: Int64) throws -> Int {
        try backend.pruneHistory(ofInstance: rowID, before: cutoff)
    }

    // MARK: Snapshots

    func insertSnapshot(named name: String, automatic: Bool) throws {
        try backend.insertSnapshot(named: name, automatic: automatic)
    }

    func snapshot(named name: String) throws -> SnapshotRecord? {
        try backend.snapshot(named: name)
    }

    func snapshots() throws -> [SnapshotRecord] {
        try backend.snapshots()
    }

    func snapshotInstances(_ name: String, factory: String?) throws -> [SnapshotInstanceRecord] {
        try backend.snapshotInstances(name, factory: factory)
    }

    func snapshotCells(_ name: String, of id: InstanceID) throws -> [CellRecord] {
        try backend.snapshotCells(name, of: id)
    }

    func deleteSnapshot(named name: String) throws -> Bool {
        try backend.deleteSnapshot(named: name)
    }

    /// False when the backend has no fast way of its own.
    func backup(to path: String) throws -> Bool {
        try backend.backup(to: path)
    }

    // MARK: Copying a whole store

    /// Copies an instance with its whole history, as `source` holds it, into
    /// this (empty) store.
    func copy(_ instance: InstanceRecord, history: [HistoryRecord]) throws {
        let created = try backend.insertInstance(
            instance.id, stateVersion: instance.stateVersion, recordsHistory: instance.recordsHistory, createdAt: instance.createdAt)
        for version in history {
            try backend.insertVersion(of: CellAddress(instanceRowID: created.rowID, name: version.name), sequence: version.sequence,
                                      record: version.cell, operation: version.operation, at: version.at)
        }
        if instance.historySinceSequence != 0 {
            try backend.setHistoryStart(instance.historySinceSequence, ofInstance: created.rowID)
        }
    }

    func insertSnapshot(_ snapshot: SnapshotRecord, holding instances: [(instance: SnapshotInstanceRecord, cells: [CellRecord])]) throws {
        try backend.insertSnapshot(snapshot, holding: instances)
    }

    // MARK: Changes

    func settledChangeNumber() throws -> Int64 {
        try backend.settledChangeNumber()
    }

    func changes(in scope: ChangeScope, after: Int64, through: Int64) throws -> [ChangeRecord] {
        try backend.changes(in: scope, after: after, through: through)
    }

    func openWatchConnection() throws -> (any StorageBackend)? {
        try backend.openWatchConnection()
    }

    func makeCommitWaiter(reader: Engine) throws -> any CommitWaiter {
        try backend.makeCommitWaiter(reader: reader)
    }

    // MARK: Maintenance

    func schemaVersion() throws -> Int {
        try backend.schemaVersion()
    }

    func integrityProblems() throws -> [String] {
        try backend.integrityProblems()
    }
}
