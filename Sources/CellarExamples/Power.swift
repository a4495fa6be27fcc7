public import Cellar

/// Python's `maker(N)` and `power_factory(exponent)`: a factory that captures
/// its configuration.
///
/// ```python
/// def power_factory(exponent):
///     def power(base):
///         return base ** exponent
///     return power
/// square = power_factory(2)
/// ```
///
/// The exponent is itself a cell: it is stored with the key when the
/// instance is created, and restored with it afterwards, whatever exponent
/// the restoring code passes.
public func powerFactory(exponent: Int) -> Factory<@Sendable (Int) throws -> Int> {
    Factory("power") { cells in
        let exponent = cells.cell("exponent", default: exponent)
        return { base in
            let exponent = try exponent.get()
            return (0..<max(0, exponent)).reduce(1) { product, _ in product * base }
        }
    }
}

/// Python's `outer_function(x)`: each call creates a new cell, so
/// `add_five` and `add_ten` are distinct instances with their own `x`.
public func adderFactory(x: Int) -> Factory<@Sendable (Int) throws -> Int> {
    Factory("adder") { cells in
        let x = cells.cell("x", default: x)
        return { y in try x.get() + y }
    }
}
