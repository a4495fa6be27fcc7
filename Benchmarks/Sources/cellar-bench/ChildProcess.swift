import Foundation

/// A child process whose output is read: by default this benchmark program
/// started again, for the cases that need several processes or a fresh one.
struct ChildProcess {
    private let process: Process
    private let output: Pipe
    private let errors: Pipe

    /// Starts `executable` (this program if nil) with `arguments`, and with
    /// `environment` added to this process's environment.
    static func start(_ arguments: [String], executable: String? = nil, environment: [String: String] = [:]) throws -> ChildProcess {
        let process = Process()
        let path = try executable ?? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
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
