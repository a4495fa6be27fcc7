#if canImport(FoundationEssentials)
internal import FoundationEssentials
#else
internal import Foundation
#endif

/// A whole store as plain data: every instance with its cells, exactly as
/// stored. What `cellar export` writes and `cellar import` reads, as JSON.
///
/// For example:
///
/// ```swift
/// let data = try JSONEncoder().encode(try store.exportInstances())
/// let copy = try Store(at: "copy.sqlite")
/// try copy.importInstances(JSONDecoder().decode(StoreExport.self, from: data))
/// ```
public struct StoreExport: Codable, Sendable, Hashable {
    /// Always `"cellar-export"`: marks the JSON as an export.
    public var format: String
    /// The version of this format; this build reads and writes 1.
    public var formatVersion: Int
    /// The schema version of the store it came from.
    public var schemaVersion: Int
    /// The instances, sorted by factory and key.
    public var instances: [Instance]

    /// The format this build writes.
    public static let currentFormat = "cellar-export"
    public static let currentFormatVersion = 1

    public init(schemaVersion: Int, instances: [Instance]) {
        self.format = Self.currentFormat
        self.formatVersion = Self.currentFormatVersion
        self.schemaVersion = schemaVersion
        self.instances = instances
    }

    /// One closure instance.
    public struct Instance: Codable, Sendable, Hashable {
        public var factory: String
        public var key: String
        public var stateVersion: Int
        /// When it was created (ISO 8601, UTC).
        public var createdAt: String
        public var cells: [Cell]

        public init(factory: String, key: String, stateVersion: Int, createdAt: String, cells: [Cell]) {
            self.factory = factory
            self.key = key
            self.stateVersion = stateVersion
            self.createdAt = createdAt
            self.cells = cells
        }
    }

    /// One cell: its Swift type's name, how it is encoded and its stored value.
    public struct Cell: Codable, Sendable, Hashable {
        public var name: String
        public var type: String
        /// `"native"` or `"json"`.
        public var encoding: String
        public var value: StoredValue

        public init(name: String, type: String, encoding: String, value: StoredValue) {
            self.name = name
            self.type = type
            self.encoding = encoding
            self.value = value
        }

        private enum CodingKeys: String, CodingKey {
            case name, type, encoding, storage, value
        }

        // A cell is written as {"name", "type", "encoding", "storage", "value"}:
        // `storage` names SQLite's storage class, so that 1 and 1.0, or text
        // and JSON, come back as exactly what was stored.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(name, forKey: .name)
            try container.encode(type, forKey: .type)
            try container.encode(encoding, forKey: .encoding)
            switch value {
            case .null:
                try container.encode("null", forKey: .storage)
                try container.encodeNil(forKey: .value)
            case .integer(let integer):
                try container.encode("integer", forKey: .storage)
                try container.encode(integer, forKey: .value)
            case .real(let real) where real.isFinite:
                try container.encode("real", forKey: .storage)
                try container.encode(real, forKey: .value)
            case .real(let real):
                // JSON has no infinities: spell them.
                try container.encode("real", forKey: .storage)
                try container.encode(real > 0 ? "Infinity" : "-Infinity", forKey: .value)
            case .text(let text), .json(let text):
                try container.encode("text", forKey: .storage)
                try container.encode(text, forKey: .value)
            case .blob(let data):
                try container.encode("blob", forKey: .storage)
                try container.encode(data.base64EncodedString(), forKey: .value)
            }
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.decode(String.self, forKey: .name)
            type = try container.decode(String.self, forKey: .type)
            encoding = try container.decode(String.self, forKey: .encoding)
            let storage = try container.decode(String.self, forKey: .storage)
            switch storage {
            case "null":
                value = .null
            case "integer":
                value = .integer(try container.decode(Int64.self, forKey: .value))
            case "real":
                if let spelled = try? container.decode(String.self, forKey: .value) {
                    switch spelled {
                    case "Infinity": value = .real(.infinity)
                    case "-Infinity": value = .real(-.infinity)
                    default:
                        throw DecodingError.dataCorruptedError(forKey: .value, in: container, debugDescription: "not a number: \(spelled)")
                    }
                } else {
                    value = .real(try container.decode(Double.self, forKey: .value))
                }
            case "text":
                let text = try container.decode(String.self, forKey: .value)
                value = encoding == CellEncoding.json.rawValue ? .json(text) : .text(text)
            case "blob":
                let base64 = try container.decode(String.self, forKey: .value)
                guard let data = Data(base64Encoded: base64) else {
                    throw DecodingError.dataCorruptedError(forKey: .value, in: container, debugDescription: "not base64")
                }
                value = .blob(data)
            default:
                throw DecodingError.dataCorruptedError(
                    forKey: .storage, in: container, debugDescription: "unknown storage class '\(storage)'")
            }
        }
    }
}

/// An import that cannot be done as asked; nothing was imported.
public enum ImportError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The data is not a Cellar export this build reads.
    case unsupportedFormat(String)
    /// The data is an export, but something in it cannot be stored.
    case invalid(String)
    /// The store already holds instances the export has.
    case conflict(instances: [String])

    public var description: String {
        switch self {
        case .unsupportedFormat(let detail):
            "This is not a Cellar export this version can read (\(detail)); nothing was imported."
        case .invalid(let detail):
            "The export cannot be imported: \(detail); nothing was imported."
        case .conflict(let instances):
            "The store already holds \(Self.list(instances)); nothing was imported, import again replacing existing instances to overwrite them."
        }
    }

    private static func list(_ instances: [String]) -> String {
        let shown = instances.prefix(3).joined(separator: ", ")
        return instances.count > 3 ? "\(shown) and \(instances.count - 3) more" : shown
    }
}

extension Store {
    /// Every instance of the store with its cells, read in one consistent
    /// snapshot while other processes may keep writing.
    public func exportInstances() throws -> StoreExport {
        try storage.readSnapshot {
            let schemaVersion = try storage.schemaVersion()
            var instances: [StoreExport.Instance] = []
            for factory in try storage.factoryNames() {
                for closure in try storage.closureRecords(factory: factory) {
                    instances.append(try exported(closure))
                }
            }
            return StoreExport(schemaVersion: schemaVersion, instances: instances)
        }
    }

    /// The instance `factory/key` as ``exportInstances()`` would write it;
    /// nil if the store has no such instance.
    public func exportInstance(factory: String, key: String) throws -> StoreExport.Instance? {
        try storage.readSnapshot {
            try storage.closureRecord(factory: factory, key: key).map(exported)
        }
    }

    private func exported(_ closure: ClosureRecord) throws -> StoreExport.Instance {
        let cells = try storage.cellRecords(closureID: closure.id).map { record in
            StoreExport.Cell(name: record.name, type: record.type, encoding: record.encoding.rawValue, value: StoredValue(record))
        }
        return StoreExport.Instance(factory: closure.factory, key: closure.key, stateVersion: closure.stateVersion,
                                    createdAt: closure.createdAt, cells: cells)
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
        var seen = Set<String>()
        for instance in export.instances where !seen.insert("\(instance.factory)/\(instance.key)").inserted {
            throw ImportError.invalid("\(instance.factory)/\(instance.key) appears twice")
        }
        return try storage.transaction(operation: "import") {
            let existing = try export.instances.filter {
                try storage.closureRecord(factory: $0.factory, key: $0.key) != nil
            }
            if !existing.isEmpty && !replacingExisting {
                throw ImportError.conflict(instances: existing.map { "\($0.factory)/\($0.key)" })
            }
            for (instance, cells) in zip(export.instances, records) {
                _ = try storage.deleteClosure(factory: instance.factory, key: instance.key)
                let closure = try storage.insertClosure(
                    factory: instance.factory, key: instance.key, stateVersion: instance.stateVersion, recordsHistory: true,
                    createdAt: instance.createdAt)
                for cell in cells {
                    try storage.insertCell(closureID: closure.id, cell, recordsHistory: true)
                }
            }
            storage.invalidateCachedValues()
            return export.instances.count
        }
    }

    /// The rows for one exported instance, or why it cannot be stored.
    private static func validatedRecords(of instance: StoreExport.Instance) throws -> [CellRecord] {
        let name = "\(instance.factory)/\(instance.key)"
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
            let value: SQLiteValue
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
