import Foundation

/// The results as a table for people and as JSON for tools.
enum Report {
    /// `judged`: whether the results are held to their targets; `--quick`
    /// results are not (a debug build, a few operations each).
    static func table(_ results: [BenchmarkResult], judged: Bool) -> String {
        let header = ["case", "median (min–max)", "floor", "ratio", "GRDB", "target", "result"]
        let rows = [header] + results.map { cells($0, miss: "MISS", judged: judged) }
        let widths = header.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        var lines = rows.map { row in
            row.enumerated().map { column, cell in cell.padding(toLength: widths[column], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
        lines.insert(widths.map { String(repeating: "-", count: $0) }.joined(separator: "  "), at: 1)
        var notes = results.map { "\($0.name): the floor is \($0.floorName)." }
        for result in results {
            if let check = result.extraCheck { notes.append("\(result.name): \(check.detail).") }
        }
        return (lines + [""] + notes).joined(separator: "\n")
    }

    /// Markdown, for the README.
    static func markdown(_ results: [BenchmarkResult], judged: Bool) -> String {
        var lines = ["| case | median (min–max) | floor | ratio | GRDB | target | result |", "|---|---|---|---|---|---|---|"]
        for result in results {
            lines.append("| " + cells(result, miss: "**miss**", judged: judged).joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n")
    }

    static func json(_ results: [BenchmarkResult], judged: Bool) throws -> Data {
        let objects: [[String: Any]] = results.map { result in
            var object: [String: Any] = [
                "case": result.name,
                "unit": result.unit.rawValue,
                "min": result.measured.minimum,
                "max": result.measured.maximum,
                "floor": result.floorName,
                "passed": judged ? result.passed : NSNull(),
            ]
            // Every row has every key; a memory row's values are KiB.
            let perOperation = result.unit == .nanosecondsPerOperation
            object["ns_per_op"] = perOperation ? result.measured.median : NSNull()
            object["floor_ns_per_op"] = perOperation ? result.floor.map(\.median) ?? NSNull() : NSNull()
            if !perOperation {
                object["kib"] = result.measured.median
                object["floor_kib"] = result.floor.map(\.median) ?? NSNull()
            }
            object["ratio"] = result.ratio ?? NSNull()
            object["peer_ratio"] = result.peerRatio ?? NSNull()
            switch result.target {
            case .ratio(let limit): object["target_ratio"] = limit
            case .nanoseconds(let limit): object["target_ratio"] = NSNull(); object["target_ns_per_op"] = limit
            case .none: object["target_ratio"] = NSNull()
            }
            if let check = result.extraCheck { object["check"] = check.detail }
            return object
        }
        return try JSONSerialization.data(withJSONObject: objects, options: [.prettyPrinted, .sortedKeys])
    }

    /// A row's cells, in the order of the table's header.
    private static func cells(_ result: BenchmarkResult, miss: String, judged: Bool) -> [String] {
        let unit = result.unit.rawValue
        let measured = result.measured
        return [
            result.name,
            "\(number(measured.median)) \(unit) (\(number(measured.minimum))–\(number(measured.maximum)))",
            result.floor.map { "\(number($0.median)) \(unit)" } ?? "—",
            result.ratio.map { String(format: "%.2fx", $0) } ?? "—",
            result.peerRatio.map { String(format: "%.2fx", $0) } ?? "—",
            result.targetDescription,
            judged ? (result.passed ? "pass" : miss) : "not judged",
        ]
    }

    /// Three significant figures, without exponent.
    private static func number(_ value: Double) -> String {
        switch value {
        case 100...: String(format: "%.0f", value)
        case 10...: String(format: "%.1f", value)
        default: String(format: "%.2f", value)
        }
    }
}
