import ArgumentParser
import Cellar
import CellarCLI
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

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
            subcommands: [Create.self, List.self, Revert.self, Delete.self, Prune.self])

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

            @Option(name: .customLong("keep-undo"), help: ArgumentHelp(
                "Keep the newest N automatic undo snapshots, this revert's included (default: 10).", valueName: "n"))
            var keepUndo = 10

            func validate() throws {
                guard keepUndo >= 1 else { throw ValidationError("--keep-undo must be 1 or more: the revert keeps the snapshot it takes.") }
            }

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
                let result = try options.storeOptions.location.open(.existingOnly, automaticSnapshotsKept: keepUndo).revert(toSnapshot: name, only: scope)
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

        struct Prune: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "prune", abstract: "Delete old snapshots: by age, or keeping the newest N.",
                discussion: """
                    Both kinds by default: the snapshots you named and the automatic undo snapshots \
                    each revert takes (a revert itself keeps the newest 10 of those). \
                    Example: cellar snapshot prune --automatic --keep 3
                    """)

            @OptionGroup var options: CellarOptions

            @Option(help: ArgumentHelp("Keep the newest N snapshots.", valueName: "n"))
            var keep: Int?

            @Option(name: .customLong("older-than"), help: ArgumentHelp("Delete snapshots older than this, e.g. 30d, 12h.", valueName: "duration"))
            var olderThan: String?

            @Flag(help: "Only the automatic undo snapshots.")
            var automatic = false

            @Flag(help: "Only the snapshots taken by name.")
            var named = false

            func validate() throws {
                guard (keep == nil) != (olderThan == nil) else {
                    throw ValidationError("Give exactly one of --keep N and --older-than DURATION.")
                }
                guard !(automatic && named) else { throw ValidationError("Give at most one of --automatic and --named.") }
            }

            func run() throws {
                let kind: SnapshotKind = automatic ? .automatic : named ? .named : .all
                let deleted: [String]
                if let olderThan {
                    let age = try TimeInput.duration(olderThan)
                    let store = try options.storeOptions.location.open(.existingOnly)
                    deleted = try store.pruneSnapshots(kind, olderThan: Date().addingTimeInterval(-Double(age.components.seconds)))
                } else {
                    guard let keep, keep >= 0 else { throw CommandError.badInput("--keep must be 0 or more.") }
                    deleted = try options.storeOptions.location.open(.existingOnly).pruneSnapshots(kind, keepingLast: keep)
                }
                if options.json {
                    try Output.json(["deleted": deleted])
                } else {
                    Output.line("Deleted \(deleted.count) snapshot\(deleted.count == 1 ? "" : "s").")
                }
            }
        }
    }
}
