/// Copying a whole store into another, of any backend.
extension Store {
    /// Copies every instance of this store, with its whole history, and
    /// every snapshot into `target`, which must be empty: from one SQLite
    /// file to a PostgreSQL database and back, for example.
    ///
    /// The copy is of one committed state of this store, read while other
    /// processes may go on writing, and it appears in `target` all at once
    /// (one transaction).
    ///
    /// For example, from one machine to many:
    ///
    /// ```
    /// try Store(at: "bank.sqlite").copy(to: Store(url: "postgresql://app@db/app?schema=bank"))
    /// ```
    ///
    /// - Returns: How many instances were copied.
    /// - Throws: ``ImportError/conflict(instances:)`` if `target` holds
    ///   instances, ``ImportError/invalid(_:)`` if it holds snapshots;
    ///   ``StoreError``. Nothing is copied when it throws.
    @discardableResult
    public func copy(to target: Store) throws -> Int {
        precondition(target !== self, "a store cannot be copied into itself")
        return try engines.read { source in
            try target.engines.write(operation: "copy") { destination in
                let existing = try destination.instances(of: nil).map(\.id)
                guard existing.isEmpty else { throw ImportError.conflict(instances: existing) }
                guard try destination.snapshots().isEmpty else {
                    throw ImportError.invalid("the target store already holds snapshots")
                }
                let instances = try source.instances(of: nil)
                for instance in instances {
                    try destination.copy(instance, history: try source.history(of: instance, since: nil, limit: .max).reversed())
                }
                for snapshot in try source.snapshots() {
                    let instances = try source.snapshotInstances(snapshot.name, factory: nil).map { instance in
                        (instance: instance, cells: try source.snapshotCells(snapshot.name, of: instance.id))
                    }
                    try destination.insertSnapshot(snapshot, holding: instances)
                }
                return instances.count
            }
        }
    }
}
