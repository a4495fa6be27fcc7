import ArgumentParser
import Cellar
import CellarCLI

extension CellarTool {
    struct Snapshot: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "snapshot",
            abstract: "Take, list, revert to and delete named snapshots of the whole store.",
            discussion: """
                A snapshot is a full copy of every instance, kept in the store. Reverting to one keeps \
                the state before it as an automatic snapshot, so a revert can be undone. Snapshot \
                names follow the naming rules of keys.
                """,
            subcommands: [Create.self, List.self, Revert.self, Delete.self])

        struct SnapshotJSON: Encodable {
            let snapshot: String
            let createdAt: String
            let instances: Int
            let automatic: Bool

            init(_ info: SnapshotInfo) {
                snapshot = info.name
                createdAt = formatTimestamp(info.createdAt)
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
                let info = try options.storeOptions.location.open(.existingOnly).snapshot(named: name)
                if options.json {
                    try Output.json(SnapshotJSON(info))
                } else {
                    Output.line("Took snapshot '\(info.name)' of \(info.instanceCount) instance\(info.instanceCount == 1 ? "" : "s").")
                }
            }
        }

        struct List: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "list", abstract: "List the snapshots, oldest first: name, time, instances.")

            @OptionGroup var options: CellarOptions

            func run() throws {
                let snapshots = try options.storeOptions.location.open(.readOnly).snapshots()
                if options.json {
                    try Output.json(snapshots.map(SnapshotJSON.init))
                    return
                }
                let width = snapshots.map(\.name.count).max() ?? 0
                for info in snapshots {
                    Output.line(padded(info.name, to: width) + "  " + formatTimestamp(info.createdAt)
                                + "  \(info.instanceCount) instance\(info.instanceCount == 1 ? "" : "s")"
                                + (info.isAutomatic ? "  (automatic, before a revert)" : ""))
                }
            }
        }

        struct Revert: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "revert", abstract: "Bring the store back to snapshot NAME, atomically.",
                discussion: """
                    With --only, only that factory's instances, or that one instance. The state before \
                    is kept as an automatic snapshot: revert to it to undo. Example: cellar snapshot revert before-import --only account/main
                    """,
                // `restore` names restoring an instance by key elsewhere; kept
                // so that scripts written for earlier versions still run.
                aliases: ["restore"])

            @OptionGroup var options: CellarOptions

            @Argument(help: "The snapshot's name.")
            var name: String

            @Option(help: ArgumentHelp("Revert only this factory's instances, or this one instance.", valueName: "factory[/key]"))
            var only: String?

            struct RevertJSON: Encodable {
                let reverted: String
                let changedInstances: Int
                let undoSnapshot: String
            }

            func run() throws {
                var scope = SnapshotScope.everything
                if let only {
                    if only.contains("/") {
                        scope = .instance(try InstanceID(parsing: only))
                    } else {
                        try NameRules.validate(only, as: "factory name")
                        scope = .factory(only)
                    }
                }
                let result = try options.storeOptions.location.open(.existingOnly).revert(toSnapshot: name, only: scope)
                if options.json {
                    try Output.json(RevertJSON(reverted: name, changedInstances: result.changedInstances, undoSnapshot: result.undoSnapshot))
                } else {
                    let count = result.changedInstances
                    Output.line("Reverted to snapshot '\(name)' (\(count) instance\(count == 1 ? "" : "s") changed); "
                                + "the state before is kept as snapshot '\(result.undoSnapshot)': revert to it to undo.")
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
