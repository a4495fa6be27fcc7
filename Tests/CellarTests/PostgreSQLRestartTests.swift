#if PostgreSQL
import Cellar
import CellarExamples
import Foundation
import Testing

/// A PostgreSQL server restarted under writers: a server of the test's own,
/// since restarting the shared one would cut every other test's connections.
@Suite struct PostgreSQLRestartTests {
    @Test(.timeLimit(.minutes(2)))
    func writersThroughAServerRestartLoseNothingAndApplyNothingTwice() throws {
        guard let server = try TestPostgres.privateServer() else { return }
        defer { server.stop() }
        let url = server.url + "&schema=restart"
        let observer = try Store(url: url)
        let (processes, increments) = (3, 1_500)
        let children = try (0..<processes).map { _ in try Child.start([url, "steady-counter", "shared", String(increments)]) }
        let count = { try observer.inspect(InstanceID(factory: "counter", key: "shared"))?[cell: "count"]?.decode(as: Int.self) ?? 0 }
        try waitUntil { try count() >= 300 }
        try server.stopFast()
        Thread.sleep(forTimeInterval: 0.3)
        try server.start()

        var acknowledged: [Int] = []
        var maybe = 0, unchanged = 0
        for child in children {
            let result = child.finish()
            #expect(result.status == 0, "\(result.stderr)")
            for line in result.lines {
                if line.hasPrefix("ok "), let value = Int(line.dropFirst(3)) { acknowledged.append(value) }
                if line == "maybe" { maybe += 1 }
                if line == "unchanged" { unchanged += 1 }
            }
        }
        #expect(acknowledged.count == processes * increments)
        #expect(maybe + unchanged > 0, "no call met the restart")
        // Each acknowledged increment returned a count no other one did: none was applied twice.
        #expect(Set(acknowledged).count == acknowledged.count)
        // The observer's connection was cut too: its next call reconnects.
        let final = try count()
        #expect(final >= processes * increments && final <= processes * increments + maybe, "final \(final), maybe \(maybe)")
        #expect(acknowledged.max() ?? 0 <= final)
    }
}
#endif
