import ArgumentParser
import Cellar
import CellarCLI
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension CellarTool {
    struct History: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "history",
            abstract: "Show an instance's history of changes, or prune the history.",
            discussion: "Example: cellar history account/main --limit 20; cellar history prune --older-than 30d",
            subcommands: [Show.self, Prune.self],
            defaultSubcommand: Show.self)

        struct Show: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "show", abstract: "List the latest changes of FACTORY/KEY, oldest first.",
                discussion: "The newest 100 unless --limit N or --all; a line on standard error says when the list is cut.")

            @OptionGroup var options: CellarOptions

            @Argument(help: ArgumentHelp("The instance, e.g. account/main.", valueName: "factory/key"))
            var instance: String

            @OptionGroup var limit: HistoryLimit

            @Option(help: ArgumentHelp("Leave out changes before this time (ISO 8601 with a time zone).", valueName: "time"))
            var since: String?

            struct EntryJSON: Encodable {
                let sequence: Int
                let time: String
                let cell: String
                let type: String?
                let value: String?
                let operation: String?
            }

            func run() throws {
                let limit = try limit.count()
                let since = try since.map { text throws(CommandError) in try TimeInput.time(text) }
                let (store, name) = try options.openWithInstance(instance, access: .readOnly)
                let (entries, total) = try store.read {
                    (try store.history(of: name, since: since, limit: limit), try store.historyCount(of: name, since: since))
                }
                if options.json {
                    try Output.json(HistoryJSON(entries: entries.map {
                        EntryJSON(sequence: $0.sequence, time: formatTimestamp($0.time), cell: $0.cell,
                                  type: $0.typeName, value: $0.value?.description, operation: $0.operation)
                    }, total: total))
                    return
                }
                let width = entries.map { ($0.operation ?? "").count }.max() ?? 0
                for entry in entries {
                    let change = entry.value.map { "\(entry.cell) = \($0)" } ?? "\(entry.cell) removed"
                    Output.line("#\(entry.sequence)  \(formatTimestamp(entry.time))  \(padded(entry.operation ?? "", to: width))  \(change)")
                }
                if let notice = HistoryLimit.notice(shown: entries.count, total: total) {
                    Output.error(notice)
                }
            }
        }

        struct Prune: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "prune", abstract: "Remove old history: by age, or keeping the last N changes of each instance.",
                discussion: """
                    Each cell's last change before the cutoff is kept, so rewinding to the cutoff or later \
                    stays exact. Snapshots are full copies and need no history.
                    """)

            @OptionGroup var options: CellarOptions

            @Option(name: .customLong("older-than"), help: ArgumentHelp("Remove changes older than this, e.g. 30d, 12h, 15m.", valueName: "duration"))
            var olderThan: String?

            @Option(help: ArgumentHelp("Keep the last N changes of each instance.", valueName: "n"))
            var keep: Int?

            func validate() throws {
                guard (olderThan == nil) != (keep == nil) else {
                    throw ValidationError("Give exactly one of --older-than DURATION and --keep N.")
                }
            }

            func run() throws {
                let store: () throws -> Store = { try options.storeOptions.location.open(.existingOnly) }
                let removed: Int
                if let olderThan {
                    let age = try TimeInput.duration(olderThan)
                    let seconds = Double(age.components.seconds)
                    removed = try store().pruneHistory(olderThan: Date().addingTimeInterval(-seconds))
                } else {
                    guard let keep, keep >= 0 else { throw CommandError.badInput("--keep must be 0 or more.") }
                    removed = try store().pruneHistory(keepingLast: keep)
                }
                if options.json {
                    try Output.json(["pruned": removed])
                } else {
                    Output.line("Pruned \(removed) history entr\(removed == 1 ? "y" : "ies").")
                }
            }
        }
    }

    struct Rewind: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rewind",
            abstract: "Bring one instance back to how it was at a time, or after a history entry.",
            discussion: """
                The rewind is itself a recorded change: rewind again to undo it. Other instances are \
                untouched. Example: cellar rewind account/main --to 2026-11-23T10:00:00Z
                """)

        @OptionGroup var options: CellarOptions

        @Argument(help: ArgumentHelp("The instance, e.g. account/main.", valueName: "factory/key"))
        var instance: String

        @Option(help: ArgumentHelp("The time (ISO 8601 with a time zone).", valueName: "time"))
        var to: String?

        @Option(name: .customLong("to-seq"), help: ArgumentHelp("The history entry's number (see `cellar history`).", valueName: "n"))
        var toSequence: Int?

        func validate() throws {
            guard (to == nil) != (toSequence == nil) else {
                throw ValidationError("Give exactly one of --to TIME and --to-seq N.")
            }
        }

        struct RewindJSON: Encodable {
            let instance: String
            let sequence: Int
            let changedCells: Int
        }

        func run() throws {
            let time = try to.map { text throws(CommandError) in try TimeInput.time(text) }
            let (store, name) = try options.openWithInstance(instance, access: .existingOnly)
            let result = if let time {
                try store.rewind(name, to: time)
            } else {
                try store.rewind(name, toSequence: toSequence ?? 0)
            }
            if options.json {
                try Output.json(RewindJSON(instance: name.description, sequence: result.sequence, changedCells: result.changedCells))
            } else {
                let cells = result.changedCells
                Output.line("Rewound \(name) to #\(result.sequence) (\(cells) cell\(cells == 1 ? "" : "s") changed).")
            }
        }
    }
}
