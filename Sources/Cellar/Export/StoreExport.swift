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
    /// The schema version of the store it came from, as its backend
    /// numbers it (SQLite's and PostgreSQL's schemas are numbered apart):
    /// for information, an import does not depend on it.
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

    /// One instance.
    public struct Instance: Codable, Sendable, Hashable {
        public var factory: String
        public var key: String
        public var stateVersion: Int
        /// When it was created (ISO 8601, UTC).
        public var createdAt: String
        public var cells: [Cell]

        /// The instance's factory and key.
        public var id: InstanceID {
            InstanceID(factory: factory, key: key)
        }

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
