import Foundation

/// This benchmark program started again as a child process, for the cases
/// that need several processes or a fresh one.
struct ChildProcess {
    private let process: Process
    private let output: Pipe
    private let errors: Pipe

    static func start(_ arguments: [String]) throws -> ChildProcess {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
        process.arguments = arguments
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        return ChildProcess(process: process, output: output, errors: errors)
    }

    /// Waits for the child to exit and returns what it printed, trimmed;
    /// throws with its error output if it failed.
    func waitForOutput() throws -> String {
        let printed = output.fileHandleForReading.readDataToEndOfFile()
        let complaint = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw BenchmarkFailure("a child process failed (\(process.terminationStatus)): \(String(decoding: complaint, as: UTF8.self))")
        }
        return String(decoding: printed, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
