import Cellar
import Foundation
import Testing

@Suite struct InstanceIDTests {
    @Test func parsesAndPrintsFactorySlashKey() throws {
        let id = try InstanceID(parsing: "account/main")
        #expect(id == InstanceID(factory: "account", key: "main"))
        #expect(id.description == "account/main")
        // The first slash splits: the key may not hold one, so this is refused.
        #expect(throws: CellError.invalidName(kind: "key", name: "a/b", reason: "it contains '/'")) {
            try InstanceID(parsing: "account/a/b")
        }
        #expect(throws: CellError.invalidName(kind: "instance name", name: "main", reason: "it is not FACTORY/KEY, such as account/main")) {
            try InstanceID(parsing: "main")
        }
        #expect(throws: CellError.invalidName(kind: "factory name", name: "", reason: "it is empty")) {
            try InstanceID(parsing: "/main")
        }
        #expect(try InstanceID(parsing: "caf\u{e9}/k\u{fc}che").key == "k\u{fc}che")
    }

    @Test func sortsByFactoryThenKeyAndEncodesAsAnObject() throws {
        let ids = [InstanceID(factory: "b", key: "a"), InstanceID(factory: "a", key: "z"), InstanceID(factory: "a", key: "b")]
        #expect(ids.sorted().map(\.description) == ["a/b", "a/z", "b/a"])
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let json = String(decoding: try encoder.encode(ids[0]), as: UTF8.self)
        #expect(json == #"{"factory":"b","key":"a"}"#)
        #expect(try JSONDecoder().decode(InstanceID.self, from: Data(json.utf8)) == ids[0])
    }
}
