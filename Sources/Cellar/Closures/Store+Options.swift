extension Store {
    /// How a ``Store`` opens its file.
    public struct Options: Sendable, Hashable {
        /// What a commit survives; see ``Durability``. Default: ``Durability/normal``.
        public var durability: Durability
        /// How long an operation waits for another process's write lock
        /// before it throws ``StoreError/busy(path:timeoutMilliseconds:)``.
        /// Default: 5 seconds.
        public var busyTimeout: Duration
        /// Whether the store may be created or written. Default: ``Access/createIfMissing``.
        public var access: Access

        /// Options with the given settings; every default is the one described above.
        public init(durability: Durability = .normal, busyTimeout: Duration = .seconds(5), access: Access = .createIfMissing) {
            self.durability = durability
            self.busyTimeout = busyTimeout
            self.access = access
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

        var storageMode: Storage.AccessMode {
            switch self {
            case .createIfMissing: .create
            case .existingOnly: .readWrite
            case .readOnly: .readOnly
            }
        }
    }
}
