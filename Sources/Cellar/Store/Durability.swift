/// How hard a commit works to survive a crash.
///
/// Both levels use SQLite's write-ahead log, and neither can corrupt the
/// store: they differ in what a power cut may take back.
public enum Durability: Sendable, Hashable, CustomStringConvertible {
    /// A commit is in the operating system's hands when it returns: it
    /// survives the process crashing or being killed, but a power cut or
    /// kernel crash may lose every commit since the last checkpoint, up to
    /// about 1,000 pages of them (`synchronous=NORMAL`; SQLite checkpoints
    /// when its log passes `wal_autocheckpoint` pages). The file is never
    /// damaged.
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
