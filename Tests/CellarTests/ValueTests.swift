import Cellar
import Foundation
import Testing

/// A Codable type that is not one of SQLite's own: stored as JSON.
struct Cash: Codable, Sendable, Equatable {
    var cents: Int
    var currency: String
}

/// A factory with one cell named "value" of type `Value`.
func holder<Value: Codable & Sendable>(_ defaultValue: Value, name: String = "holder") -> Factory<PersistentCell<Value>> {
    Factory(name) { cells in cells.cell("value", default: defaultValue) }
}

@Suite struct ValueTests {
    /// Stores `value`, reads it back after a restart and returns how SQLite
    /// holds it: its `typeof()`, its text, and Cellar's type name.
    func roundTrip<Value: Codable & Sendable & Equatable>(_ value: Value) throws -> (storage: String, text: String, type: String) {
        let directory = try TemporaryDirectory()
        let path = directory.path("store.sqlite")
        try Store(at: path).restore(holder(value), key: "k").set(value)
        let restored = try Store(at: path).restore(holder(value), key: "k").get()
        #expect(restored == value)
        return (try sqliteRows(path, "SELECT typeof(value) FROM cells").first ?? "",
                try sqliteRows(path, "SELECT value FROM cells").first ?? "",
                try sqliteRows(path, "SELECT type FROM cells").first ?? "")
    }

    @Test(arguments: Backend.all) func integersFloatsStringsBoolsAndDataAreStoredNatively(backend: Backend) throws {
        #expect(try roundTrip(42) == ("integer", "42", "Int"))
        #expect(try roundTrip(Int64.min) == ("integer", "-9223372036854775808", "Int64"))
        #expect(try roundTrip(Int8(-7)) == ("integer", "-7", "Int8"))
        #expect(try roundTrip(UInt32.max) == ("integer", "4294967295", "UInt32"))
        #expect(try roundTrip(UInt64(7)) == ("integer", "7", "UInt64"))
        #expect(try roundTrip(2.5) == ("real", "2.5", "Double"))
        #expect(try roundTrip(Float(0.1)).storage == "real")
        #expect(try roundTrip(Double.infinity).storage == "real")
        #expect(try roundTrip("héllo 'world'") == ("text", "héllo 'world'", "String"))
        #expect(try roundTrip("") == ("text", "", "String"))
        #expect(try roundTrip(true) == ("integer", "1", "Bool"))
        #expect(try roundTrip(false) == ("integer", "0", "Bool"))
        #expect(try roundTrip(Data([0, 1, 2, 255])).storage == "blob")
        #expect(try roundTrip(Data()).storage == "blob")
        #expect(try roundTrip(Int?.none) == ("null", "NULL", "Optional<Int>"))
        #expect(try roundTrip(Int?.some(3)) == ("integer", "3", "Optional<Int>"))
    }

    @Test(arguments: Backend.all) func integersBeyondInt64AreKeptExactlyAsText(backend: Backend) throws {
        #expect(try roundTrip(UInt64.max) == ("text", "18446744073709551615", "UInt64"))
    }

    @Test(arguments: Backend.all) func otherCodableTypesAreStoredAsJSONWithSortedKeys(backend: Backend) throws {
        #expect(try roundTrip(Cash(cents: 150, currency: "EUR"))
                == ("text", #"{"cents":150,"currency":"EUR"}"#, "Cash"))
        #expect(try roundTrip(["b": 2, "a": 1]) == ("text", #"{"a":1,"b":2}"#, "Dictionary<String, Int>"))
        #expect(try roundTrip([1, 2, 3]) == ("text", "[1,2,3]", "Array<Int>"))
    }

    @Test(arguments: Backend.all) func aTypeMismatchNamesTheCellAndBothTypesAndChangesNothing(backend: Backend) throws {
        guard let location = try backend.newLocation() else { return }
        try location.open().restore(holder(0), key: "k").set(7)
        let before = try location.storedState()

        let store = try location.open()
        let expected = CellError.typeMismatch(instance: InstanceID(factory: "holder", key: "k"), cell: "value", storedType: "Int", requestedType: "String")
        #expect(throws: expected) { try store.restore(holder("text"), key: "k") }
        #expect(expected.description == "Cell 'value' of holder/k holds an Int, not a String; restore it as Int or migrate the factory's state.")
        #expect(throws: CellError.self) { try store.restore(holder(Cash(cents: 0, currency: "")), key: "k") }
        #expect(throws: CellError.self) { try store.restore(holder(Int?.none), key: "k") }
        #expect(try location.storedState() == before)
        #expect(try store.restore(holder(0), key: "k").get() == 7)
    }

    @Test(arguments: Backend.all) func anUnencodableValueIsRefusedAndChangesNothing(backend: Backend) throws {
        guard let location = try backend.newLocation() else { return }
        let store = try location.open()
        let cell = try store.restore(holder(1.5), key: "k")
        #expect(throws: CellError.unencodable(instance: InstanceID(factory: "holder", key: "k"), cell: "value", type: "Double", reason: "NaN cannot be stored")) {
            try cell.set(.nan)
        }
        #expect(throws: CellError.self) { try cell.update { $0 = .nan } }
        #expect(try cell.get() == 1.5)
    }

    @Test(arguments: Backend.all) func aStoredValueThatDoesNotDecodeIsAClearError(backend: Backend) throws {
        guard let location = try backend.newLocation() else { return }
        _ = try location.open().restore(holder(Cash(cents: 1, currency: "EUR")), key: "k")
        try location.execute(#"UPDATE cell_versions SET "# + location.jsonColumn + #" = '{"cents":"lots"}'"#)
        let error = #expect(throws: CellError.self) {
            try location.open().restore(holder(Cash(cents: 1, currency: "EUR")), key: "k")
        }
        guard case .undecodable(let instance, let cell, let type, let failure)? = error else {
            Issue.record("expected undecodable, got \(String(describing: error))")
            return
        }
        #expect(instance == InstanceID(factory: "holder", key: "k") && cell == "value" && type == "Cash")
        #expect(failure.codingPath == "cents")
        #expect(failure.detail.contains("typeMismatch"))
        // One sentence: the instance, the cell, the type and the field; the dump stays in `detail`.
        #expect(error?.description
            == "Cell 'value' of holder/k could not be read as a Cash (at 'cents': expected an Int); fix the value or migrate the factory's state.")

        try location.execute(#"UPDATE cell_versions SET "# + location.jsonColumn + #" = '{"cents":1,"lines":[{"price":2},{"price":"x"}]}'"#)
        #expect(throws: CellError.self) { try location.open().restore(holder(Cash(cents: 1, currency: "EUR")), key: "k") }
        try location.execute(#"UPDATE cell_versions SET "# + location.jsonColumn + #" = '{"cents":1}'"#)
        let missing = #expect(throws: CellError.self) { try location.open().restore(holder(Cash(cents: 1, currency: "EUR")), key: "k") }
        #expect(missing?.description.contains("(at 'currency': the field is missing)") == true)
    }

    @Test(arguments: Backend.all) func decodingFailuresNameTheFieldInsideArrays(backend: Backend) throws {
        struct Line: Codable, Sendable { var price: Int }
        struct Order: Codable, Sendable { var lines: [Line] }
        guard let location = try backend.newLocation() else { return }
        let store = try location.open()
        let factory = Factory("order") { cells in cells.cell("order", default: Order(lines: [])) }
        _ = try store.restore(factory, key: "k")
        var export = try store.exportInstances()
        export.instances[0].cells[0].value = .json(#"{"lines":[{"price":2},{"price":"x"}]}"#)
        try store.importInstances(export, replacingExisting: true)
        let error = #expect(throws: CellError.self) { try store.restore(factory, key: "k") }
        #expect(error?.description.contains("(at 'lines[1].price': expected an Int)") == true, "\(String(describing: error))")
    }

    @Test(arguments: Backend.all)
    func valuesOfEveryKindComeBackAsStored(backend: Backend) throws {
        struct Event: Codable, Sendable, Equatable { var name: String; var at: Date; var tags: [String] }
        guard let location = try backend.newLocation() else { return }
        let event = Event(name: "launch", at: Date(timeIntervalSinceReferenceDate: 785_584_034.125), tags: ["a", "b"])
        let factory = Factory("values") { cells in
            (cells.cell("int", default: Int64.min), cells.cell("double", default: 0.1 + 0.2), cells.cell("text", default: "é'\"x"),
             cells.cell("data", default: Data([0, 255])), cells.cell("empty", default: Data()), cells.cell("missing", default: String?.none),
             cells.cell("bool", default: true), cells.cell("event", default: event), cells.cell("huge", default: UInt64.max))
        }
        _ = try location.open().restore(factory, key: "k")
        let values = try location.open().restore(factory, key: "k")
        #expect(try values.0.get() == .min)
        #expect(try values.1.get() == 0.1 + 0.2)
        #expect(try values.2.get() == "é'\"x")
        #expect(try values.3.get() == Data([0, 255]))
        #expect(try values.4.get() == Data())
        #expect(try values.5.get() == nil)
        #expect(try values.6.get() == true)
        #expect(try values.7.get() == event)
        #expect(try values.8.get() == .max)
        let inspection = try #require(try location.open().inspect(InstanceID(factory: "values", key: "k")))
        #expect(inspection[cell: "event"]?.typeName == "Event")
        #expect(throws: CellError.self) { try location.open().restore(Factory("values") { $0.cell("int", default: "text") }, key: "k") }

        // PostgreSQL's text holds no NUL character: refused, not cut short
        // (a documented difference).
        let withNUL = Factory("nul") { cells in cells.cell("text", default: "a\0b") }
        switch backend {
        case .sqlite: #expect(try location.open().restore(withNUL, key: "k").get() == "a\0b")
        case .postgresql: #expect(throws: StoreError.self) { try location.open().restore(withNUL, key: "k") }
        }
    }
}
