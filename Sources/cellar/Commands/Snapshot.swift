import ArgumentParser
import Cellar
import CellarCLI

extension CellarTool {
    struct Snapshot: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "snapshot",
            abstract: "Take, list, restore and delete named snapshots of the whole store.",
            discussion: """
                A snapshot is a full copy of every instance, kept in the store. Restoring one keeps \
                the state before it as an automatic snapshot, so a restore can be undone. Snapshot \
                names follow the naming rules of keys.
                """,
            subcommands: [Create.self, List.self, Restore.self, Delete.self])

        struct SnapshotJSON: Encodable {
            let snapshot: String
            let createdAt: String
            let instances: Int
            let automatic: Bool

            init(_ info: SnapshotInfo) {
                snapshot = info.name
                createdAt = TimeInput.format(info.createdAt)
                instances = info.instanceCount
                automatic = info.isAutomatic
            }
        }

        struct Create: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "create", abstract: "Take a snapshot of every instance, named NAME.",
                discussion: "Consistent while other processes keep writing. Example: cellar snapshot create before-import")

            @OptionGroup var options: CellarOptions

            @Argument(help: "The snapshot's name.")
            var name: String

            func run() throws {
                try reportingErrors {
                    let info = try options.storeOptions.location.open(.existingOnly).snapshot(named: name)
                    if options.json {
                        try Output.json(SnapshotJSON(info))
                    } else {
                        Output.line("Took snapshot '\(info.name)' of \(info.instanceCount) instance\(info.instanceCount == 1 ? "" : "s").")
                    }
                }
            }
        }

        struct List: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "list", abstract: "List the snapshots, oldest first: name, time, instances.")

            @OptionGroup var options: CellarOptions

            func run() throws {
                try reportingErrors {
                    let snapshots = try options.storeOptions.location.open(.readOnly).snapshots()
                    if options.json {
                        try Output.json(snapshots.map(SnapshotJSON.init))
                        return
                    }
                    let width = snapshots.map(\.name.count).max() ?? 0
                    for info in snapshots {
                        Output.line(padded(info.name, to: width) + "  " + TimeInput.format(info.createdAt)
                                    + "  \(info.instanceCount) instance\(info.instanceCount == 1 ? "" : "s")"
                                    + (info.isAutomatic ? "  (automatic, before a restore)" : ""))
                    }
                }
            }
        }

        struct Restore: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "restore", abstract: "Bring the store back to snapshot NAME, atomically.",
                discussion: """
                    With --only, only that factory's instances, or that one instance. The state before \
                    is kept as an automatic snapshot: restore it to undo. Example: cellar snapshot restore before-import --only account/main
                    """)

            @OptionGroup var options: CellarOptions

            @Argument(help: "The snapshot's name.")
            var name: String

            @Option(help: ArgumentHelp("Restore only this factory's instances, or this one instance.", valueName: "factory[/key]"))
            var only: String?

            struct RestoreJSON: Encodable {
                let restored: String
                let changedInstances: Int
                let undoSnapshot: String
            }

            func run() throws {
                try reportingErrors {
                    var scope = RestoreScope.everything
                    if let only {
                        if only.contains("/") {
                            let instance = try InstanceName(parsing: only)
                            scope = .instance(factory: instance.factory, key: instance.key)
                        } else {
                            try NameRules.validate(only, as: "factory name")
                            scope = .factory(only)
                        }
                    }
                    let result = try options.storeOptions.location.open(.existingOnly).restore(snapshot: name, only: scope)
                    if options.json {
                        try Output.json(RestoreJSON(restored: name, changedInstances: result.changedInstances, undoSnapshot: result.undoSnapshot))
                    } else {
                        let count = result.changedInstances
                        Output.line("Restored snapshot '\(name)' (\(count) instance\(count == 1 ? "" : "s") changed); "
                                    + "the state before is kept as snapshot '\(result.undoSnapshot)': restore it to undo.")
                    }
                }
            }
        }

        struct Delete: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "delete", abstract: "Delete snapshot NAME.")

            @OptionGroup var options: CellarOptions

            @Argument(help: "The snapshot's name.")
            var name: String

            func run() throws {
                try reportingErrors {
                    try options.storeOptions.location.open(.existingOnly).deleteSnapshot(named: name)
                    if options.json {
                        try Output.json(["deleted": name])
                    } else {
                        Output.line("Deleted snapshot '\(name)'.")
                    }
                }
            }
        }
    }
}
