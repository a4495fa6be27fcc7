import Foundation
import Testing

/// The README's Swift code is compiled into the test child with every build
/// of the tests (ReadmeExamplesPlugin); here it runs, twice, in a fresh
/// folder, as a reader would run it.
@Suite struct ReadmeExampleTests {
    @Test func theReadmeExamplesRunAndRemember() throws {
        let directory = try TemporaryDirectory()
        let first = try RunningChild(executable: "CellarTestChild", arguments: ["-", "readme"], currentDirectory: directory.url.path).finish()
        #expect(first.status == 0, "\(first.stderr)")
        // visits, the total read in one state, the balance after ten concurrent deposits, the owned counter
        #expect(first.lines == ["1", "15000", "11000", "1"])
        let second = try RunningChild(executable: "CellarTestChild", arguments: ["-", "readme"], currentDirectory: directory.url.path).finish()
        #expect(second.lines == ["2", "31000", "22000", "2"])
        #expect(FileManager.default.fileExists(atPath: directory.path("app.sqlite")))
    }
}
