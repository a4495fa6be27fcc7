#if canImport(FoundationEssentials)
internal import FoundationEssentials
#else
internal import Foundation
#endif

/// How the values of one Swift type go into a cell's `value` column and come
/// back out.
///
/// Integers, floating-point numbers, strings, booleans and `Data` (and
/// optionals of them) are stored as the database's own values, so `sqlite3`
/// shows them as they are; every other `Codable` type is stored as JSON text
/// with sorted keys.
///
/// A class rather than a struct: a cell's code is generic over `Value` and,
/// used from another module, not specialized; copying a generic struct out of
/// the cell looked up its type's metadata on every update.
final class CellCodec<Value: Codable & Sendable>: Sendable {
    /// The Swift type's name as recorded in the `type` column, e.g. `Int` or `Array<Task>`.
    let typeName: String
    let encoding: CellEncoding
    let encode: @Sendable (Value) throws(CodecFailure) -> CellValue
    let decode: @Sendable (CellValue) throws(CodecFailure) -> Value

    init(typeName: String, encoding: CellEncoding,
         encode: @escaping @Sendable (Value) throws(CodecFailure) -> CellValue,
         decode: @escaping @Sendable (CellValue) throws(CodecFailure) -> Value) {
        self.typeName = typeName
        self.encoding = encoding
        self.encode = encode
        self.decode = decode
    }

    /// `value` as it goes into cell `cell` of `instance`.
    func encode(_ value: Value, cell: String, instance: InstanceID) throws(CellError) -> CellValue {
        do {
            return try encode(value)
        } catch {
            throw CellError.unencodable(instance: instance, cell: cell, type: typeName, reason: error.failure.description)
        }
    }

    /// The value a stored cell holds, refusing a cell of another type.
    func decode(_ record: CellRecord, instance: InstanceID) throws(CellError) -> Value {
        guard record.type == typeName, record.encoding == encoding else {
            throw CellError.typeMismatch(instance: instance, cell: record.name, storedType: record.type, requestedType: typeName)
        }
        do {
            return try decode(record.value)
        } catch {
            throw CellError.undecodable(instance: instance, cell: record.name, type: typeName, failure: error.failure)
        }
    }

    /// The stored row for `value` in a cell named `name`.
    func record(named name: String, holding value: Value, instance: InstanceID) throws(CellError) -> CellRecord {
        CellRecord(name: name, type: typeName, encoding: encoding, value: try encode(value, cell: name, instance: instance))
    }

    /// The codec for `Value`: native when the store can hold it as itself, JSON otherwise.
    static func make() -> CellCodec<Value> {
        if let nativeType = Value.self as? any NativeCellValue.Type {
            return nativeCodec(nativeType)
        }
        return jsonCodec()
    }

    private static func nativeCodec<Native: NativeCellValue>(_: Native.Type) -> CellCodec<Value> {
        let codec = CellCodec<Native>(
            typeName: swiftTypeName(of: Native.self),
            encoding: .native,
            encode: { value throws(CodecFailure) in try value.storedValue() },
            decode: { stored throws(CodecFailure) in
                guard let value = Native(storedValue: stored) else {
                    throw CodecFailure(reason: "found \(stored.kind) \(stored.shortDescription)")
                }
                return value
            })
        // Native is Value: `make` only gets here when `Value.self` is `Native.self`.
        return codec as! CellCodec<Value>
    }

    private static func jsonCodec() -> CellCodec<Value> {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom(DateCoding.encode)
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom(DateCoding.decode)
        return CellCodec(
            typeName: swiftTypeName(of: Value.self),
            encoding: .json,
            encode: { value throws(CodecFailure) in
                do {
                    return .text(String(decoding: try encoder.encode(value), as: UTF8.self))
                } catch {
                    throw CodecFailure(DecodingFailure(error))
                }
            },
            decode: { stored throws(CodecFailure) in
                guard case .text(let json) = stored else {
                    throw CodecFailure(reason: "expected JSON text, found \(stored.kind)")
                }
                do {
                    return try decoder.decode(Value.self, from: Data(json.utf8))
                } catch {
                    throw CodecFailure(DecodingFailure(error))
                }
            })
    }
}

/// The name Cellar records for a Swift type: short and without the module,
/// so a type keeps its name when the code around it moves.
///
/// `_typeName` spells the same name as `String(describing:)`, without the
/// protocol-conformance lookups that made it a quarter of a short
/// command's run time.
func swiftTypeName<T>(of type: T.Type) -> String {
    _typeName(type, qualified: false)
}

/// Why a value could not be encoded or decoded; the cell turns it into a
/// ``CellError`` that names itself.
struct CodecFailure: Error {
    let failure: DecodingFailure

    init(_ failure: DecodingFailure) {
        self.failure = failure
    }

    init(reason: String) {
        self.failure = DecodingFailure(problem: reason)
    }
}

// MARK: - Values the store holds as themselves

/// A type whose values the store keeps as one of its own values.
protocol NativeCellValue: Codable, Sendable {
    func storedValue() throws(CodecFailure) -> CellValue
    /// Nil when `storedValue` holds no value of this type.
    init?(storedValue: CellValue)
}

extension NativeCellValue where Self: FixedWidthInteger {
    func storedValue() throws(CodecFailure) -> CellValue {
        // Integers beyond Int64 (large UInt64 values) are kept exactly, as
        // decimal text.
        if let integer = Int64(exactly: self) {
            return .integer(integer)
        }
        return .text(String(self))
    }

    init?(storedValue: CellValue) {
        switch storedValue {
        case .integer(let integer): self.init(exactly: integer)
        case .text(let text): self.init(text)
        default: return nil
        }
    }
}

extension Int: NativeCellValue {}
extension Int8: NativeCellValue {}
extension Int16: NativeCellValue {}
extension Int32: NativeCellValue {}
extension Int64: NativeCellValue {}
extension UInt: NativeCellValue {}
extension UInt8: NativeCellValue {}
extension UInt16: NativeCellValue {}
extension UInt32: NativeCellValue {}
extension UInt64: NativeCellValue {}

extension Double: NativeCellValue {
    func storedValue() throws(CodecFailure) -> CellValue {
        // SQLite turns NaN into NULL, which would read back as a different value.
        guard !isNaN else { throw CodecFailure(reason: "NaN cannot be stored") }
        return .real(self)
    }

    init?(storedValue: CellValue) {
        guard case .real(let real) = storedValue else { return nil }
        self = real
    }
}

extension Float: NativeCellValue {
    func storedValue() throws(CodecFailure) -> CellValue {
        try Double(self).storedValue()
    }

    init?(storedValue: CellValue) {
        guard case .real(let real) = storedValue, let float = Float(exactly: real) else { return nil }
        self = float
    }
}

extension Bool: NativeCellValue {
    func storedValue() throws(CodecFailure) -> CellValue {
        .integer(self ? 1 : 0)
    }

    init?(storedValue: CellValue) {
        switch storedValue {
        case .integer(0): self = false
        case .integer(1): self = true
        default: return nil
        }
    }
}

extension String: NativeCellValue {
    func storedValue() throws(CodecFailure) -> CellValue {
        .text(self)
    }

    init?(storedValue: CellValue) {
        guard case .text(let text) = storedValue else { return nil }
        self = text
    }
}

extension Data: NativeCellValue {
    func storedValue() throws(CodecFailure) -> CellValue {
        .blob(self)
    }

    init?(storedValue: CellValue) {
        guard case .blob(let data) = storedValue else { return nil }
        self = data
    }
}

extension Optional: NativeCellValue where Wrapped: NativeCellValue {
    func storedValue() throws(CodecFailure) -> CellValue {
        guard let self else { return .null }
        return try self.storedValue()
    }

    init?(storedValue: CellValue) {
        if case .null = storedValue {
            self = .none
        } else if let wrapped = Wrapped(storedValue: storedValue) {
            self = .some(wrapped)
        } else {
            return nil
        }
    }
}
