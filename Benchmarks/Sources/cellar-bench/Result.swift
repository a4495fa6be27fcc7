import Foundation

/// What a case is held to.
enum Target: Sendable {
    /// The case's median over the floor's median, at most this.
    case ratio(Double)
    /// The case's median, at most this many nanoseconds per operation.
    case nanoseconds(Double)
    /// Nothing: the row is reported for comparison only.
    case none
}

/// One row of the report: a case, its floor and, where it applies, the peer.
struct BenchmarkResult {
    let name: String
    /// What one operation is, for the reader: "update", "read", "process".
    let unit: Unit
    let measured: Samples
    let floor: Samples?
    let floorName: String
    let peer: Samples?
    let target: Target
    /// Checks beyond the ratio that the case passed or missed, in words
    /// (e.g. fairness between processes); nil when there are none.
    var extraCheck: (passed: Bool, detail: String)? = nil

    enum Unit: String {
        case nanosecondsPerOperation = "ns/op"
        case kibibytes = "KiB"
        case percentOfOneCore = "% of a core"
    }

    var ratio: Double? { floor.map { measured.ratio(to: $0) } }
    var peerRatio: Double? {
        guard let peer, let floor else { return nil }
        return peer.ratio(to: floor)
    }

    var passed: Bool {
        let targetMet: Bool = switch target {
        case .ratio(let limit): (ratio ?? .infinity) <= limit
        case .nanoseconds(let limit): measured.median <= limit
        case .none: true
        }
        let fasterThanPeer = peer.map { measured.ratio(to: $0) < 1 } ?? true
        return targetMet && fasterThanPeer && (extraCheck?.passed ?? true)
    }

    var targetDescription: String {
        var parts: [String] = []
        switch target {
        case .ratio(let limit): parts.append(String(format: "≤ %.2fx", limit))
        case .nanoseconds(let limit): parts.append(String(format: "≤ %.0f ns", limit))
        case .none: parts.append("—")
        }
        if peer != nil { parts.append("< GRDB") }
        return parts.joined(separator: ", ")
    }
}
