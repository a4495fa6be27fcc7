import ArgumentParser
import Cellar
import CellarCLI

extension CellarTool {
    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check",
            abstract: "Check the store's integrity and schema version.",
            discussion: "Reads without writing. Exits 74 on any problem: damage, a pending migration, or a file that is not a usable store.")

        @OptionGroup var options: CellarOptions

        struct Report: Encodable {
            let integrity: String
            let problems: [String]
            let schemaVersion: Int
            let latestSchemaVersion: Int
            let instances: Int
        }

        func run() throws {
            let path = options.storeOptions.location.displayName
            let status = try options.storeOptions.location.migrationStatus()
            let schemaVersion = status.applied.last?.version ?? 0
            let latest = (status.pending.last ?? status.applied.last)?.version ?? 0
            guard status.pending.isEmpty else {
                throw CommandError(
                    "The store '\(path)' has schema version \(schemaVersion) and needs migrating to \(latest); run 'cellar migrate'.",
                    status: .storeUnusable)
            }
            let store = try options.storeOptions.location.open(.readOnly)
            let problems = try store.checkIntegrity()
            let instances = try store.read { try store.factoryNames().reduce(0) { $0 + (try store.keys(of: $1).count) } }
            let report = Report(integrity: problems.isEmpty ? "ok" : "damaged", problems: problems,
                                schemaVersion: schemaVersion, latestSchemaVersion: latest, instances: instances)
            if options.json {
                try Output.json(report)
            } else {
                Output.line("integrity: \(report.integrity)")
                for problem in problems { Output.line("  \(problem)") }
                Output.line("schema version: \(schemaVersion) (up to date)")
                Output.line("instances: \(instances)")
            }
            guard problems.isEmpty else {
                throw CommandError(
                    "The store '\(path)' is damaged (\(problems.count) problem\(problems.count == 1 ? "" : "s")); restore it from a backup.",
                    status: .storeUnusable)
            }
        }
    }
}
