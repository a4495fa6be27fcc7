import ArgumentParser
import Cellar
import CellarCLI

extension CellarTool {
    struct Migrate: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "migrate",
            abstract: "Apply the schema migrations the store lacks, or show them with --status.",
            discussion: "Each migration runs once, in its own transaction. A store is migrated anyway when a tool first writes to it; this does it explicitly.")

        @OptionGroup var options: CellarOptions

        @Flag(help: "Show applied and pending migrations without applying any.")
        var status = false

        struct StatusJSON: Encodable {
            struct Entry: Encodable {
                let version: Int
                let name: String
                let appliedAt: String?
            }
            let applied: [Entry]
            let pending: [Entry]
        }

        func run() throws {
            let location = options.storeOptions.location
            let before = try location.migrationStatus()
            if !status && !before.pending.isEmpty {
                _ = try location.open(.existingOnly)
            }
            let after = status ? before : try location.migrationStatus()
            if options.json {
                let entry = { (migration: MigrationStatus.Migration) in
                    StatusJSON.Entry(version: migration.version, name: migration.name, appliedAt: migration.appliedAt)
                }
                try Output.json(StatusJSON(applied: after.applied.map(entry), pending: after.pending.map(entry)))
                return
            }
            for migration in after.applied {
                let new = !status && before.pending.contains { $0.version == migration.version }
                Output.line("\(fileName(migration))  \(new ? "applied now" : "applied \(migration.appliedAt ?? "")")")
            }
            for migration in after.pending {
                Output.line("\(fileName(migration))  pending")
            }
        }

        private func fileName(_ migration: MigrationStatus.Migration) -> String {
            let number = String(migration.version)
            return String(repeating: "0", count: max(0, 4 - number.count)) + number + "_" + migration.name + ".sql"
        }
    }
}
