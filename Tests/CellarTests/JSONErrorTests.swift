import Cellar
import CellarCLI
import Foundation
import Testing

/// With `--json`, an error is also one JSON object on standard error, after
/// the sentence: a script tells "insufficient funds" from "busy" by `kind`.
@Suite struct JSONErrorTests {
    @Test(arguments: Backend.all) func domainErrorsNameTheirKindAndKeepTheirStatus(backend: Backend) throws {
        guard let sandbox = try ToolSandbox(backend: backend) else { return }
        _ = try sandbox.run("acct", "open", "main")
        let before = try sandbox.storeState

        let refused = try sandbox.run("acct", "withdraw", "main", "5", "--json")
        #expect(refused.status == 1)
        #expect(refused.stdout == "")
        let (sentence, object) = try jsonError(refused)
        #expect(sentence == "Error: Insufficient funds: 'main' has 0.00, which is less than 5.00.")
        #expect(object == ErrorObject(error: "Insufficient funds: 'main' has 0.00, which is less than 5.00.", status: 1,
                                      kind: "AccountError.insufficientFunds"))

        #expect(try jsonError(try sandbox.run("acct", "deposit", "main", "x", "--json")).object.kind == "CommandError.badInput")
        #expect(try jsonError(try sandbox.run("cellar", "--json", "inspect", "account/mian")).object.kind == "CommandError.refused")
        #expect(try jsonError(try sandbox.run("cellar", "inspect", "main", "--json")).object.kind == "CellError.invalidName")
        #expect(try jsonError(try sandbox.run("cellar", "snapshot", "revert", "nope", "--json")).object.kind == "SnapshotError.unknownSnapshot")
        let usage = try sandbox.run("acct", "deposit", "--json")
        #expect(usage.status == 64)
        #expect(try jsonError(usage).object.kind == "usage")
        #expect(try sandbox.storeState == before)

        // Without --json, the sentence alone.
        let plain = try sandbox.run("acct", "withdraw", "main", "5")
        #expect(plain.stderr == "Error: Insufficient funds: 'main' has 0.00, which is less than 5.00.\n")
    }

    @Test(arguments: Backend.all) func aBusyStoreIsKindBusyWithStatus75(backend: Backend) throws {
        guard let sandbox = try ToolSandbox(backend: backend) else { return }
        _ = try sandbox.run("acct", "open", "main")
        // Another connection holds the write lock for longer than acct waits (5 s).
        let release = try sandbox.holdWriteLock()
        defer { release() }
        let busy = try sandbox.run("acct", "deposit", "main", "1", "--json")
        #expect(busy.status == 75)
        #expect(try jsonError(busy).object.kind == "StoreError.busy")
    }
}

extension JSONErrorTests {
    @Test func everyKindNamesTypeAndCase() {
        let instance = InstanceID(factory: "account", key: "main")
        #expect(errorKind(StoreError.writeInsideRead(path: "s")) == "StoreError.writeInsideRead")
        #expect(errorKind(StoreError.busy(path: "s", timeoutMilliseconds: 1)) == "StoreError.busy")
        #expect(errorKind(CellError.instanceDeleted(instance: instance)) == "CellError.instanceDeleted")
        #expect(errorKind(HistoryError.unknownInstance(instance)) == "HistoryError.unknownInstance")
        #expect(errorKind(SnapshotError.unknownSnapshot("x")) == "SnapshotError.unknownSnapshot")
        #expect(errorKind(ImportError.conflict(instances: [instance])) == "ImportError.conflict")
        #expect(errorKind(CommandError.refused("no")) == "CommandError.refused")
    }
}
