
/// The exit statuses of `acct` and `cellar`, as their `--help` and the
/// README document them.
package enum ExitStatus: Int32, Sendable, CustomStringConvertible {
    /// The command did what was asked.
    case success = 0
    /// A rule refused the command: insufficient funds, an unknown or existing
    /// account, a non-zero balance on close, a conflicting import.
    case refused = 1
    /// The command line or an input is not valid (EX_USAGE).
    case badInput = 64
    /// The store cannot be used: I/O error, damaged, not a Cellar store,
    /// newer schema, read-only, disk full, no server, a connection that
    /// broke during a commit (EX_IOERR).
    case storeUnusable = 74
    /// The store stayed locked by another process past the busy timeout,
    /// transactions kept conflicting, or the connection broke before
    /// anything was committed: nothing was changed, safe to retry (EX_TEMPFAIL).
    case busy = 75

    /// The status's name: `refused`, `busy`...
    package var description: String {
        switch self {
        case .success: "success"
        case .refused: "refused"
        case .badInput: "badInput"
        case .storeUnusable: "storeUnusable"
        case .busy: "busy"
        }
    }

    /// The text both tools put at the end of `--help`.
    package static let helpText = """
        EXIT STATUS
          0   success
          1   refused by a rule (insufficient funds, unknown account, account exists,
              non-zero balance on close, conflicting import, unknown or existing
              snapshot, existing backup file, a time before history began)
          64  bad usage or bad input (an amount or name that is not valid)
          74  the store cannot be used (I/O error, damaged, not a Cellar store,
              newer schema, read-only, disk full, no server, a connection that
              broke while a change was committed: check before repeating it)
          75  busy past the timeout, conflicting writers, or a connection that
              broke before anything was committed (nothing changed: safe to retry)
        """
}
