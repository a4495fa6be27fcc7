#if canImport(FoundationEssentials)
internal import FoundationEssentials
#else
internal import Foundation
#endif

extension Store {
    /// Every instance of the store with its cells, read from one committed
    /// state while other processes may keep writing.
    public func exportInstances() throws -> StoreExport {
        try engines.read { session in
            StoreExport(schemaVersion: try session.schemaVersion(),
                        instances: try session.instances(of: nil).map { try exported($0, in: session) })
        }
    }

    /// The instance `id` as ``exportInstances()`` would write it; nil if the
    /// store has no such instance.
    public func exportInstance(_ id: InstanceID) throws -> StoreExport.Instance? {
        try engines.read { session in
            guard let instance = try session.instance(id) else { return nil }
            return try exported(instance, in: session)
        }
    }

    private func exported(_ instance: InstanceRecord, in session: borrowing Session) throws -> StoreExport.Instance {
        let cells = try session.cells(of: instance).map { record in
            StoreExport.Cell(name: record.name, type: record.type, encoding: record.encoding.rawValue, value: StoredValue(record))
        }
        return StoreExport.Instance(factory: instance.id.factory, key: instance.id.key, stateVersion: instance.stateVersion,
                                    createdAt: instance.createdAt, cells: cells)
    }

    /// Adds the instances of `export` to the store, all in one transaction.
    ///
    /// - Parameters:
    ///   - export: What ``exportInstances()`` returned, here or elsewhere.
    ///   - replacingExisting: Replace instances the store already holds;
    ///     when false, any such instance makes the import throw
    ///     ``ImportError/conflict(instances:)``.
    /// - Returns: How many instances were imported.
    /// - Throws: ``ImportError``, ``StoreError``. Nothing is imported when it throws.
    @discardableResult
    public func importInstances(_ export: StoreExport, replacingExisting: Bool = false) throws -> Int {
        guard export.format == StoreExport.currentFormat else {
            throw ImportError.unsupportedFormat("format '\(export.format)'")
        }
        guard export.formatVersion == StoreExport.currentFormatVersion else {
            throw ImportError.unsupportedFormat("format version \(export.formatVersion), this one reads \(StoreExport.currentFormatVersion)")
        }
        let records = try export.instances.map(Self.validatedRecords)
        var seen = Set<InstanceID>()
        for instance in export.instances where !seen.insert(instance.id).inserted {
            throw ImportError.invalid("\(instance.id) appears twice")
        }
        return try engines.write(operation: "import") { session in
            let existing = try export.instances.compactMap { try session.instance($0.id) }
            if !existing.isEmpty && !replacingExisting {
                throw ImportError.conflict(instances: existing.map(\.id))
            }
            for instance in existing {
                try session.deleteInstance(instance)
            }
            for (instance, cells) in zip(export.instances, records) {
                let created = try session.insertInstance(
                    instance.id, stateVersion: instance.stateVersion, recordsHistory: true, createdAt: instance.createdAt)
                _ = try session.reconcileCells(of: created, with: cells, operation: "import")
            }
            return export.instances.count
        }
    }

    /// The rows for one exported instance, or why it cannot be stored.
    private static func validatedRecords(of instance: StoreExport.Instance) throws -> [CellRecord] {
        let name = instance.id
        for (kind, value) in [("factory name", instance.factory), ("key", instance.key)] {
            if let reason = NameRules.violation(in: value) {
                throw ImportError.invalid("the \(kind) \(quoted(value)) is not valid: \(reason)")
            }
        }
        guard instance.stateVersion >= 0 else {
            throw ImportError.invalid("\(name) has a negative state version")
        }
        var names = Set<String>()
        return try instance.cells.map { cell in
            if let reason = NameRules.violation(in: cell.name) {
                throw ImportError.invalid("cell \(quoted(cell.name)) of \(name) is not valid: \(reason)")
            }
            guard names.insert(cell.name).inserted else {
                throw ImportError.invalid("\(name) has two cells named \(quoted(cell.name))")
            }
            guard !cell.type.isEmpty, let encoding = CellEncoding(rawValue: cell.encoding) else {
                throw ImportError.invalid("cell '\(cell.name)' of \(name) has no type or an unknown encoding")
            }
            let value: CellValue
            switch (encoding, cell.value) {
            case (.json, .json(let text)): value = .text(text)
            case (.json, _): throw ImportError.invalid("cell '\(cell.name)' of \(name) is JSON-encoded but holds no text")
            case (.native, .json): throw ImportError.invalid("cell '\(cell.name)' of \(name) holds JSON but is native")
            case (.native, .null): value = .null
            case (.native, .integer(let integer)): value = .integer(integer)
            case (.native, .real(let real)): value = .real(real)
            case (.native, .text(let text)): value = .text(text)
            case (.native, .blob(let data)): value = .blob(data)
            }
            return CellRecord(name: cell.name, type: cell.type, encoding: encoding, value: value)
        }
    }
}
