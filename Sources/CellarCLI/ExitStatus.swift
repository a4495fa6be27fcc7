import ArgumentParser
import Cellar

/// The exit statuses of `acct` and `cellar`, as their `--help` and the
/// README document them.
package enum ExitStatus: Int32, Sendable {
    /// The command did what was asked.
    case success = 0
    /// A rule refused the command: insufficient funds, an unknown or existing
    /// account, a non-zero balance on close, a conflicting import.
    case refused = 1
    /// The command line or an input is not valid (EX_USAGE).
    case badInput = 64
    /// The store cannot be used: I/O error, damaged, not a Cellar store,
    /// newer schema, read-only, disk full (EX_IOERR).
    case storeUnusable = 74
    /// The store stayed locked by another process past the busy timeout;
    /// safe to retry (EX_TEMPFAIL).
    case busy = 75

    /// The text both tools put at the end of `--help`.
    package static let helpText = """
        EXIT STATUS
          0   success
          1   refused by a rule (insufficient funds, unknown account, account exists,
              non-zero balance on close, conflicting import, unknown or existing
              snapshot, existing backup file, a time before history began)
          64  bad usage or bad input (an amount or name that is not valid)
          74  the store cannot be used (I/O error, damaged, not a Cellar store,
              newer schema, read-only, disk full)
          75  the store stayed busy past the timeout (safe to retry)
        """
}

/// An error a command reports itself: one sentence and its exit status.
package struct CommandError: Error, Equatable, CustomStringConvertible {
    package let message: String
    package let status: ExitStatus

    package init(_ message: String, status: ExitStatus) {
        self.message = message
        self.status = status
    }

    /// Bad input: exit status 64.
    package static func badInput(_ message: String) -> CommandError {
        CommandError(message, status: .badInput)
    }

    /// Refused by a rule: exit status 1.
    package static func refused(_ message: String) -> CommandError {
        CommandError(message, status: .refused)
    }

    package var description: String { message }
}

/// The sentence and exit status for any error a command meets.
package func report(_ error: any Error) -> (message: String, status: ExitStatus) {
    switch error {
    case let error as CommandError:
        return (error.message, error.status)
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

/// Runs a command's work; an error is written to standard error as
/// `Error: <sentence>` and becomes the command's exit status.
package func reportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let exit as ExitCode {
        throw exit
    } catch {
        let (message, status) = report(error)
        Output.error("Error: \(message)")
        throw ExitCode(status.rawValue)
    }
}
