package import ArgumentParser
import Cellar

extension ParsableCommand {
    /// Parses `arguments` as this tool's command line, runs the command it
    /// names and exits. Every error is reported here, in one place: the
    /// errors of Cellar and of the commands as `Error: <sentence>` on
    /// standard error with their documented exit status; argument-parser's
    /// own (usage, `--help`, validation) the way argument-parser reports them.
    ///
    /// With `--json` on the command line, an error is also printed as one
    /// JSON object on standard error (see ``ErrorJSON``).
    package static func runAsRoot(_ arguments: [String]) -> Never {
        let json = ErrorJSON.isRequested(by: arguments)
        var command: any ParsableCommand
        do {
            command = try parseAsRoot(arguments)
        } catch {
            exitReportingParserError(error, json: json)
        }
        do {
            try command.run()
            exit(withError: nil)
        } catch let error where isArgumentParserError(error) {
            exitReportingParserError(error, json: json)
        } catch {
            exitReporting(error, json: json)
        }
    }

    /// argument-parser's report of its own error (usage, help, validation),
    /// and with `json` the same as JSON when it is a failure.
    private static func exitReportingParserError(_ error: any Error, json: Bool) -> Never {
        let status = exitCode(for: error).rawValue
        guard json && status != 0 else { exit(withError: error) }
        Output.error(fullMessage(for: error))
        let message = message(for: error).split(separator: "\n").first.map(String.init) ?? ""
        ErrorJSON(message: message.hasPrefix("Error: ") ? String(message.dropFirst(7)) : message, status: status, kind: "usage").print()
        Platform.exit(status)
    }

    /// Whether argument-parser threw `error` (`ValidationError`, `ExitCode`,
    /// `CleanExit`, or its own help request from `acct help`) and so knows
    /// how to report it.
    private static func isArgumentParserError(_ error: any Error) -> Bool {
        String(reflecting: type(of: error)).hasPrefix("ArgumentParser.")
    }
}

/// Writes `error` to standard error as `Error: <sentence>` (and, with
/// `json`, as one JSON object on the next line) and exits with its status.
package func exitReporting(_ error: any Error, json: Bool = false) -> Never {
    let (message, status) = report(error)
    Output.error("Error: \(message)")
    if json {
        ErrorJSON(message: message, status: status.rawValue, kind: errorKind(error)).print()
    }
    Platform.exit(status.rawValue)
}

/// An error as `--json` prints it on standard error, one object on one line:
/// `{"error":"Insufficient funds: ...","kind":"AccountError.insufficientFunds","status":1}`.
///
/// `kind` names the error's type and case, so that a script can tell one
/// failure from another without reading the sentence; `status` is the exit
/// status; `error` is the sentence the plain output prints.
package struct ErrorJSON: Encodable {
    let error: String
    let status: Int32
    let kind: String

    init(message: String, status: Int32, kind: String) {
        self.error = message
        self.status = status
        self.kind = kind
    }

    /// Whether `--json` stands among `arguments`, before any `--`.
    static func isRequested(by arguments: [String]) -> Bool {
        arguments.prefix { $0 != "--" }.contains("--json")
    }

    func print() {
        if let text = try? Output.jsonText(self) {
            Output.error(text)
        }
    }
}

/// `StoreError.busy`, `AccountError.insufficientFunds`, `CommandError.refused`:
/// an error's type and case, as `--json` names its kind.
package func errorKind(_ error: any Error) -> String {
    let type = String(describing: Swift.type(of: error))
    if let error = error as? CommandError {
        return "\(type).\(error.exitStatus)"
    }
    // An enum case with values reflects as one child labeled with its name.
    // (A case without values reflects as nothing: then the type alone.
    // Cellar's error cases all carry values.)
    if let label = Mirror(reflecting: error).children.first?.label {
        return "\(type).\(label)"
    }
    return type
}

/// The sentence and exit status for any error a command meets.
package func report(_ error: any Error) -> (message: String, status: ExitStatus) {
    switch error {
    case let error as any CommandFailure:
        return (error.description, error.exitStatus)
    case StoreError.busy, StoreError.conflict, StoreError.connectionLost(_, mayHaveCommitted: false):
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
