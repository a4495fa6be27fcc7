import Foundation

/// A child process whose output is read: by default this benchmark program
/// started again, for the cases that need several processes or a fresh one.
///
/// Both pipes are drained while the child runs, each on a thread of its
/// own: reading one to its end first would deadlock on a child that fills
/// the other (64 KiB).
final class ChildProcess: @unchecked Sendable {
    // Sound: `output` and `errors` are written by the reader threads and read
    // only after `waitForOutput()` has joined them through `done`.
    private let process = Process()
    private var output = Data()
    private var errors = Data()
    private let done = DispatchGroup()

    /// Starts `executable` (this program if nil) with `arguments`, and with
    /// `environment` added to this process's environment.
    static func start(_ arguments: [String], executable: String? = nil, environment: [String: String] = [:]) throws -> ChildProcess {
        try ChildProcess(arguments, executable: executable, environment: environment)
    }

    private init(_ arguments: [String], executable: String?, environment: [String: String]) throws {
        let path = try executable ?? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let outputPipe = Pipe(), errorPipe = Pipe()
        process.standardOutput = outputPipe
        process.standardError = errorPipe
        try process.run()
        done.enter()
        done.enter()
        DispatchQueue.global().async {
            self.output = outputPipe.fileHandleForReading.readDataToEndOfFile()
            self.done.leave()
        }
        DispatchQueue.global().async {
            self.errors = errorPipe.fileHandleForReading.readDataToEndOfFile()
            self.done.leave()
        }
    }

    var processIdentifier: Int32 { process.processIdentifier }

    /// Waits for the child to exit and returns what it printed, trimmed;
    /// throws with its error output if it failed.
    func waitForOutput() throws -> String {
        process.waitUntilExit()
        done.wait()
        guard process.terminationStatus == 0 else {
            throw BenchmarkFailure("a child process failed (\(process.terminationStatus)): \(String(decoding: errors, as: UTF8.self))")
        }
        return String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
