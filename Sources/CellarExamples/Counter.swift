public import Cellar

/// Python's `create_counter()`: private state, one counter per key.
///
/// ```python
/// def create_counter():
///     count = 0
///     def increment():
///         nonlocal count
///         count += 1
///         return count
///     return increment
/// ```
///
/// Each key is an independent counter, and it keeps counting after a restart.
public let counterFactory = Factory("counter") { cells in
    let count = cells.cell("count", default: 0)
    return { @Sendable () throws -> Int in
        try count.update { count in
            count += 1
            return count
        }
    }
}
