/// A store that cannot be used as asked: missing, foreign, damaged,
/// read-only, full, busy or written by a newer Cellar, unreachable or
/// disconnected (PostgreSQL), or a change asked for where only reads may
/// happen. `path` is a file's path, or a PostgreSQL store's URL without
/// its password.
///
/// Every case reads as one sentence that says what happened and what to do;
/// whatever failed left the stored state as it was.
///
/// For example:
///
/// ```swift
/// do {
///     let store = try Store(at: "bank.sqlite")
/// } catch StoreError.newerSchema(_, let found, let supported) {
///     print("written by a newer Cellar (schema \(found), this build knows \(supported))")
/// }
/// ```
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// There is no store at `path`, and the store was opened without creating one.
    case missing(path: String)
    /// The file at `path` could not be opened (a missing folder, no permission).
    case cannotOpen(path: String, reason: String)
    /// The file at `path` is not a SQLite database.
    case notADatabase(path: String)
    /// The file at `path` is a SQLite database that belongs to something else.
    case notACellarStore(path: String)
    /// The file at `path` was written by a newer Cellar than this one.
    case newerSchema(path: String, fileVersion: Int, supportedVersion: Int)
    /// The store needs schema migrations, but was opened read-only.
    case needsMigration(path: String, fileVersion: Int, supportedVersion: Int)
    /// The file at `path` is damaged.
    case corrupt(path: String, detail: String)
    /// The store at `path` cannot be written: a read-only file, folder or mount.
    case readOnly(path: String)
    /// The disk that holds `path` is full.
    case diskFull(path: String)
    /// The operating system reported an I/O error on `path`.
    case ioError(path: String, detail: String)
    /// Another connection kept the store locked for longer than the busy timeout.
    case busy(path: String, timeoutMilliseconds: Int)
    /// SQLite rolled back the enclosing transaction by itself after an
    /// earlier error inside it (such as a full disk); nothing in it was saved.
    case transactionAborted(path: String)
    /// A change was attempted inside ``Store/read(_:)`` of the store at
    /// `path`, which only reads.
    case writeInsideRead(path: String)
    /// A failure SQLite reported that has no better name.
    case sqlite(SQLiteError)
    /// The PostgreSQL server of the store at `path` (its URL without a
    /// password) could not be reached or refused the connection.
    case cannotConnect(path: String, reason: String)
    /// The connection to the PostgreSQL store at `path` broke during a
    /// call. If `mayHaveCommitted`, it broke while the change was being
    /// committed and the server may have kept it; otherwise nothing was
    /// changed. The next call connects again.
    case connectionLost(path: String, mayHaveCommitted: Bool)
    /// A transaction on the PostgreSQL store at `path` met a deadlock or a
    /// serialization failure on each of its `attempts`; nothing was changed.
    case conflict(path: String, attempts: Int)
    /// A failure PostgreSQL reported that has no better name.
    case postgreSQL(PostgreSQLError)

    public var description: String {
        switch self {
        case .missing(let path):
            "There is no store at '\(path)'; check the path, or create the store by opening it for writing."
        case .cannotOpen(let path, let reason) where PostgreSQLURL.isURL(path):
            "Cannot open the store '\(path)': \(reason)."
        case .cannotOpen(let path, let reason):
            "Cannot open the store at '\(path)' (\(reason)); check that its folder exists and that you may write there."
        case .notADatabase(let path):
            "The file '\(path)' is not a SQLite database; choose another path, or restore the store from a backup."
        case .notACellarStore(let path) where PostgreSQLURL.isURL(path):
            "The schema of '\(path)' holds tables that are not a Cellar store; choose another schema (?schema=NAME), Cellar leaves them untouched."
        case .notACellarStore(let path):
            "The file '\(path)' is a SQLite database but not a Cellar store; choose another path, Cellar leaves it untouched."
        case .newerSchema(let path, let fileVersion, let supportedVersion):
            "The store '\(path)' was written by a newer Cellar (schema version \(fileVersion), this one knows up to \(supportedVersion)); upgrade Cellar to use it."
        case .needsMigration(let path, let fileVersion, let supportedVersion):
            "The store '\(path)' has schema version \(fileVersion) and needs upgrading to \(supportedVersion); open it for writing once to migrate it."
        case .corrupt(let path, let detail):
            "The store '\(path)' is damaged (\(detail)); restore it from a backup."
        case .readOnly(let path) where PostgreSQLURL.isURL(path):
            "The store '\(path)' is read-only: the server refused the change (a read-only session or a standby server); nothing was changed."
        case .readOnly(let path):
            "The store '\(path)' is read-only; check the permissions of the file and its folder."
        case .diskFull(let path) where PostgreSQLURL.isURL(path):
            "The PostgreSQL server of '\(path)' is out of disk space; free some there and try again (nothing was changed)."
        case .diskFull(let path):
            "The disk holding '\(path)' is full; free some space and try again (nothing was changed)."
        case .ioError(let path, let detail):
            "An I/O error occurred on the store '\(path)' (\(detail)); check the disk, then try again."
        case .busy(let path, let timeout):
            "The store '\(path)' stayed locked by another process for more than \(timeout) ms; try again."
        case .transactionAborted(let path) where PostgreSQLURL.isURL(path):
            "PostgreSQL rolled back the transaction on '\(path)' after an earlier error in it; nothing in it was saved."
        case .transactionAborted(let path):
            "SQLite rolled back the transaction on '\(path)' after an earlier error in it; nothing in it was saved."
        case .writeInsideRead(let path):
            "A change to '\(path)' was attempted inside store.read { }, which only reads; make changes in store.transaction { } instead."
        case .sqlite(let error):
            error.description
        case .cannotConnect(let path, let reason):
            "Cannot connect to the PostgreSQL store '\(path)' (\(reason)); check that the server runs and that the URL, user and password are right."
        case .connectionLost(let path, mayHaveCommitted: true):
            "The connection to '\(path)' broke while the change was being committed; it may or may not have been saved, so check before repeating it."
        case .connectionLost(let path, mayHaveCommitted: false):
            "The connection to '\(path)' broke; nothing was changed, and the next call connects again: try again."
        case .conflict(let path, let attempts):
            "The transaction on '\(path)' met a deadlock or a conflicting writer on each of \(attempts) attempts; nothing was changed: try again."
        case .postgreSQL(let error):
            error.description
        }
    }
}
