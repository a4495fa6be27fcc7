extension StoreError {
    /// The domain error a SQLite failure on the store at `path` stands for.
    init(_ error: SQLiteError, path: String, busyTimeoutMilliseconds: Int) {
        switch error.code {
        case .busy, .locked:
            self = .busy(path: path, timeoutMilliseconds: busyTimeoutMilliseconds)
        case .full:
            self = .diskFull(path: path)
        case .readOnly:
            self = .readOnly(path: path)
        case .notADatabase:
            self = .notADatabase(path: path)
        case .corrupt:
            self = .corrupt(path: path, detail: error.message)
        case .ioError:
            self = .ioError(path: path, detail: error.message)
        case .cannotOpen:
            self = .cannotOpen(path: path, reason: error.message)
        default:
            self = .sqlite(error)
        }
    }
}
