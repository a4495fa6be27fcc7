/// A snapshot or backup that cannot be made or used as asked; nothing changed.
public enum SnapshotError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The store has no snapshot of this name.
    case unknownSnapshot(String)
    /// A snapshot of this name exists already.
    case snapshotExists(String)
    /// The backup's target file exists and was not to be replaced.
    case backupTargetExists(path: String)
    /// The backup could not be written at `path`.
    case cannotWriteBackup(path: String, reason: String)

    public var description: String {
        switch self {
        case .unknownSnapshot(let name):
            "There is no snapshot named \(quoted(name)); list the snapshots to see their names."
        case .snapshotExists(let name):
            "A snapshot named \(quoted(name)) exists already; choose another name or delete it first."
        case .backupTargetExists(let path):
            "The file '\(path)' exists already; choose another name for the backup, or replace the file."
        case .cannotWriteBackup(let path, let reason):
            "The backup could not be written to '\(path)' (\(reason)); check the folder and the free space."
        }
    }
}
