/// An error the tools report with an exit status of its own choosing: a
/// command's own refusals, and the domain errors of a tool's factories
/// (`acct` maps its `AccountError` to ``ExitStatus/refused``).
package protocol CommandFailure: Error, CustomStringConvertible {
    var exitStatus: ExitStatus { get }
}

/// An error a command reports itself: one sentence and its exit status.
package struct CommandError: CommandFailure, Equatable {
    package let message: String
    package let exitStatus: ExitStatus

    package init(_ message: String, status: ExitStatus) {
        self.message = message
        self.exitStatus = status
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
