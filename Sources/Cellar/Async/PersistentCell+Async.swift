extension PersistentCell {
    /// The cell's current value, read on a thread the store owns: for
    /// `async` code, which must not block a thread of the cooperative pool.
    ///
    /// - Throws: `CancellationError` if the task was cancelled before the
    ///   read began; otherwise as ``get()``.
    public func get() async throws -> Value {
        try await engines.perform { try self.get() }
    }

    /// Stores `value` in the cell, on a thread the store owns; returns once
    /// it is committed. Writers that meet share a commit (see
    /// ``Store/transaction(operation:standsAlone:_:)``).
    ///
    /// - Throws: `CancellationError` if the task was cancelled before the
    ///   change began, and then nothing changed. A change that began
    ///   completes or is undone whole, and reports as ``set(_:operation:)``
    ///   does, even if the task is cancelled meanwhile.
    public func set(_ value: Value, operation: String? = nil) async throws {
        try await engines.perform { try self.set(value, operation: operation) }
    }

    /// Changes the cell's value in place, atomically, on a thread the store
    /// owns, as ``update(operation:_:)`` does; returns once the change is
    /// committed. The calling task waits suspended meanwhile, also while
    /// another process holds the store's write lock.
    ///
    /// For example, a deposit from a request handler:
    ///
    /// ```swift
    /// try await balance.update { $0 += amount }
    /// ```
    ///
    /// - Parameters:
    ///   - operation: Names the change in the store's history.
    ///   - body: Changes the value; runs once, under the write lock, so it
    ///     is synchronous: keep it short.
    /// - Returns: What `body` returns.
    /// - Throws: `CancellationError` if the task was cancelled before the
    ///   change began (nothing changed); otherwise as ``update(operation:_:)``.
    @discardableResult
    public func update<Result: Sendable>(
        operation: String? = nil, _ body: @escaping @Sendable (inout Value) throws -> Result
    ) async throws -> Result {
        try await engines.perform { try self.update(operation: operation, body) }
    }
}
