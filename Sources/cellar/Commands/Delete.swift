import ArgumentParser
import Cellar
import CellarCLI
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension CellarTool {
    struct Delete: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "delete",
            abstract: "Delete an instance and its cells.",
            discussion: "Asks first on a terminal; with standard input not a terminal it needs --yes. Example: cellar delete account/old --yes")

        @OptionGroup var options: CellarOptions

        @Argument(help: ArgumentHelp("The instance, e.g. account/old.", valueName: "factory/key"))
        var instance: String

        @Flag(name: [.short, .long], help: "Delete without asking.")
        var yes = false

        struct Deleted: Encodable {
            let deleted: String
        }

        func run() throws {
            let (store, name) = try options.openWithInstance(instance, access: .existingOnly)
            guard let inspection = try store.inspect(name) else { throw try unknownInstance(name, in: store) }
            if !yes {
                guard isatty(STDIN_FILENO) == 1 else {
                    throw CommandError.badInput("Not deleting \(name) without confirmation: standard input is not a terminal; add --yes.")
                }
                let cells = inspection.cells.count
                Output.prompt("Delete \(name) and its \(cells) cell\(cells == 1 ? "" : "s")? [y/N] ")
                guard let answer = readLine(), ["y", "yes"].contains(answer.lowercased()) else {
                    throw CommandError.refused("Nothing was deleted.")
                }
            }
            guard try store.delete(name) else { throw try unknownInstance(name, in: store) }
            if options.json {
                try Output.json(Deleted(deleted: name.description))
            } else {
                Output.line("Deleted \(name).")
            }
        }
    }
}
