package import ArgumentParser
import Cellar
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension ParsableCommand {
    /// Parses `arguments` as this tool's command line, runs the command it
    /// names and exits. Every error is reported here, in one place: the
    /// errors of Cellar and of the commands as `Error: <sentence>` on
    /// standard error with their documented exit status; argument-parser's
    /// own (usage, `--help`, validation) the way argument-parser reports them.
    package static func runAsRoot(_ arguments: [String]) -> Never {
        var command: any ParsableCommand
        do {
            command = try parseAsRoot(arguments)
        } catch {
            exit(withError: error)
        }
        do {
            try command.run()
            exit(withError: nil)
        } catch let error where isArgumentParserError(error) {
            exit(withError: error)
        } catch {
            exitReporting(error)
        }
    }

    /// Whether argument-parser threw `error` (`ValidationError`, `ExitCode`,
    /// `CleanExit`, or its own help request from `acct help`) and so knows
    /// how to report it.
    private static func isArgumentParserError(_ error: any Error) -> Bool {
        String(reflecting: type(of: error)).hasPrefix("ArgumentParser.")
    }
}

/// Writes `error` to standard error as `Error: <sentence>` and exits with
/// its status.
package func exitReporting(_ error: any Error) -> Never {
    let (message, status) = report(error)
    Output.error("Error: \(message)")
    exit(status.rawValue)
}

/// The sentence and exit status for any error a command meets.
package func report(_ error: any Error) -> (message: String, status: ExitStatus) {
    switch error {
    case let error as any CommandFailure:
        return (error.description, error.exitStatus)
    case StoreError.busy:
        return ("\(error)", .busy)
    case let error as StoreError:
        return ("\(error)", .storeUnusable)
    case CellError.invalidName:
        return ("\(error)", .badInput)
    case CellError.instanceDeleted:
        return ("\(error)", .refused)
    case let error as CellError:
        return ("\(error)", .storeUnusable)
    case ImportError.conflict:
        return ("\(error)", .refused)
    case HistoryError.unknownSequence:
        return ("\(error)", .badInput)
    case let error as HistoryError:
        return ("\(error)", .refused)
    case SnapshotError.cannotWriteBackup:
        return ("\(error)", .storeUnusable)
    case let error as SnapshotError:
        return ("\(error)", .refused)
    case let error as ImportError:
        return ("\(error)", .badInput)
    default:
        return ("\(error)", .storeUnusable)
    }
}
