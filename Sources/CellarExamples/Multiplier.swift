public import Cellar

/// Python's `make_multiplier(coefficient)` with `nonlocal product`: state that
/// accumulates across calls.
///
/// ```python
/// def make_multiplier(coefficient):
///     product = 1
///     def multiplier():
///         nonlocal product
///         product *= coefficient
///         return product
///     return multiplier
/// multiplier3 = make_multiplier(3)   # 3, 9, 27 ...
/// ```
///
/// Durable, the next call after a restart returns 81.
public func multiplierFactory(coefficient: Int) -> Factory<@Sendable () throws -> Int> {
    Factory("multiplier") { cells in
        let coefficient = cells.cell("coefficient", default: coefficient)
        let product = cells.cell("product", default: 1)
        return {
            let coefficient = try coefficient.get()
            return try product.update { product in
                product *= coefficient
                return product
            }
        }
    }
}
