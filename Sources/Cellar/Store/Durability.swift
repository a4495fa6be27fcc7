/// How hard a commit works to survive a crash.
///
/// Both levels use SQLite's write-ahead log, and neither can corrupt the
/// store: they differ in what a power cut may take back.
public enum Durability: Sendable, Hashable, CustomStringConvertible {
    /// A commit is in the operating system's hands when it returns: it
    /// survives the process crashing or being killed, but a power cut or
    /// kernel crash may lose the last commits (`synchronous=NORMAL`).
    /// The default: commits cost microseconds rather than a disk flush.
    case normal
    /// A commit is on the disk when it returns (`synchronous=FULL`: an fsync
    /// on every commit): it survives a power cut too. Use it for money.
    case full

    public var description: String {
        switch self {
        case .normal: "normal"
        case .full: "full"
        }
    }
}
