import Foundation

/// Nanoseconds on the system-wide monotonic clock: comparable between processes.
func monotonicNanoseconds() -> Int64 {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
}

/// The nanoseconds `body` took.
func elapsedNanoseconds(_ body: () throws -> Void) rethrows -> Int64 {
    let start = monotonicNanoseconds()
    try body()
    return monotonicNanoseconds() - start
}

/// One value per round of a case (ns per operation, or KiB): the median,
/// which the ratios use, and the spread.
struct Samples {
    private(set) var values: [Double] = []

    mutating func append(_ value: Double) { values.append(value) }

    /// Records a loop's time as nanoseconds per operation; a negative time is
    /// the floor's report of a SQLite error.
    mutating func append(nanoseconds: Int64, operations: Int) throws {
        guard nanoseconds >= 0 else { throw BenchmarkFailure("the C floor failed (its error is above)") }
        values.append(Double(nanoseconds) / Double(operations))
    }

    var median: Double {
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
    /// These samples against `other`'s: the median of the rounds' ratios
    /// when each round measured both (back to back, so that a drift of the
    /// machine's speed, such as an fsync slowing down for a while, cancels
    /// out), otherwise the ratio of the medians.
    func ratio(to other: Samples) -> Double {
        guard values.count == other.values.count else { return median / other.median }
        var ratios = Samples()
        for (value, otherValue) in zip(values, other.values) {
            ratios.append(value / otherValue)
        }
        return ratios.median
    }

    var minimum: Double { values.min() ?? .nan }

    /// The value `fraction` of the samples are at or below (0.99: the 99th percentile).
    func percentile(_ fraction: Double) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return .nan }
        return sorted[min(sorted.count - 1, Int((Double(sorted.count) * fraction).rounded(.up)) - 1)]
    }
    var maximum: Double { values.max() ?? .nan }
}

/// A benchmark whose results are wrong (not slow): the run fails.
struct BenchmarkFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Throws unless `actual == expected`: every case checks its results, so a
/// fast wrong answer never counts.
func expectExact<T: Equatable>(_ actual: T, _ expected: T, _ what: String) throws {
    guard actual == expected else {
        throw BenchmarkFailure("\(what): got \(actual), expected \(expected)")
    }
}

/// Keeps the optimizer from deleting a computation whose result is unused.
@inline(never)
func blackHole<T>(_ value: T) {
    withExtendedLifetime(value) {}
}
