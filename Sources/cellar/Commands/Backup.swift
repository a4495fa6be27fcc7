import ArgumentParser
import Cellar
import CellarCLI

extension CellarTool {
    struct Backup: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "backup",
            abstract: "Write a consistent, standalone copy of the store to FILE.",
            discussion: "Taken while other processes keep writing; FILE opens as a store of its own (cellar --store FILE check). Example: cellar backup nightly.sqlite")

        @OptionGroup var options: CellarOptions

        @Argument(help: "The backup file.")
        var file: String

        @Flag(help: "Replace FILE if it exists.")
        var force = false

        func run() throws {
            let store = try options.storeOptions.location.open(.readOnly)
            do {
                try store.backup(to: file, replacingExisting: force)
            } catch SnapshotError.backupTargetExists {
                throw CommandError.refused("The file '\(file)' exists already; choose another name or add --force to replace it.")
            }
            if options.json {
                try Output.json(["backup": file])
            } else {
                Output.line("Backed up the store to '\(file)'.")
            }
        }
    }
}
