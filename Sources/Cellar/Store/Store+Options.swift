extension Store {
    /// How a ``Store`` opens its file.
    public struct Options: Sendable, Hashable {
        /// What a commit survives; see ``Durability``. Default: ``Durability/normal``.
        public var durability: Durability
        /// How long an operation waits for another process's write lock
        /// (on PostgreSQL: another connection's lock on an instance, as
        /// `lock_timeout`) before it throws
        /// ``StoreError/busy(path:timeoutMilliseconds:)``. Default: 5 seconds.
        public var busyTimeout: Duration
        /// Whether the store may be created or written. Default: ``Access/createIfMissing``.
        public var access: Access
        /// Whether other processes may use the file while this store is
        /// open. Default: ``Sharing/shared``.
        public var sharing: Sharing
        /// How many automatic `undo-…` snapshots to keep: each revert to a
        /// snapshot takes one (a full copy of the store), and removes the
        /// oldest beyond this many. Snapshots you named are never removed.
        /// At least 1. Default: 10.
        public var automaticSnapshotsKept: Int
        /// How many connections a PostgreSQL store opens at most. It opens
        /// one with the store, and another when a call arrives while every
        /// open one is busy, so that threads and tasks run their calls in
        /// parallel; they stay open until the store is released. A SQLite
        /// store uses one connection whatever this says: its file takes
        /// one writer at a time, and concurrent writers share commits
        /// instead. At least 1. Default: 8.
        public var maximumConnections: Int

        /// Options with the given settings; every default is the one described above.
        public init(
            durability: Durability = .normal, busyTimeout: Duration = .seconds(5), access: Access = .createIfMissing,
            sharing: Sharing = .shared, automaticSnapshotsKept: Int = 10, maximumConnections: Int = 8
        ) {
            precondition(automaticSnapshotsKept >= 1, "a revert keeps at least the snapshot it takes")
            precondition(maximumConnections >= 1, "a store needs a connection")
            self.maximumConnections = maximumConnections
            self.durability = durability
            self.busyTimeout = busyTimeout
            self.access = access
            self.sharing = sharing
            self.automaticSnapshotsKept = automaticSnapshotsKept
        }

        var busyTimeoutMilliseconds: Int {
            let (seconds, attoseconds) = busyTimeout.components
            return max(0, Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000))
        }
    }

    /// Whether a store may be created or written.
    public enum Access: Sendable, Hashable {
        /// Read and write; create the file if there is none.
        case createIfMissing
        /// Read and write an existing store; throw ``StoreError/missing(path:)`` if there is none.
        case existingOnly
        /// Read an existing store and never write to it.
        case readOnly

        var openMode: SQLiteBackend.OpenMode {
            switch self {
            case .createIfMissing: .create
            case .existingOnly: .readWrite
            case .readOnly: .readOnly
            }
        }
    }

    /// Whether other processes may use a store's file while it is open.
    public enum Sharing: Sendable, Hashable {
        /// Any number of processes may read and write the file at once. Each
        /// read outside a transaction asks the file (one cheap check) whether
        /// another process committed since, and reads the value again if so.
        case shared
        /// This process owns the file: it locks the file when it opens it,
        /// and other processes that open it wait up to their busy timeout,
        /// then fail with ``StoreError/busy(path:timeoutMilliseconds:)``. In
        /// exchange, a read of a cell whose value is in memory never touches
        /// the file.
        ///
        /// The lock is held until the store and every closure restored from
        /// it have been released: the closures' cells use the store's
        /// connection.
        ///
        /// Opening throws ``StoreError/busy(path:timeoutMilliseconds:)``
        /// if another process has the file open. A read-only store is
        /// always shared.
        case exclusive
    }
}
