import ArgumentParser
import Cellar
import CellarCLI

extension CellarTool {
    struct Copy: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "copy",
            abstract: "Copy a whole store into another, empty one: between a file and PostgreSQL, either way.",
            discussion: """
                Every instance with its whole history, and every snapshot. The copy is of one committed \
                state of the source while other processes may go on writing, and appears in the target \
                all at once. The target is created if it does not exist, and must hold nothing. \
                Example: cellar copy --from store.sqlite --to postgresql://app@db/app
                """)

        @Option(help: ArgumentHelp("The store to copy: a file or a postgresql:// URL.", valueName: "path-or-url"))
        var from: String

        @Option(help: ArgumentHelp("The store to copy into: a file or a postgresql:// URL.", valueName: "path-or-url"))
        var to: String

        @Flag(help: "Print the result as JSON.")
        var json = false

        struct CopyJSON: Encodable {
            let copied: Int
            let to: String
        }

        func run() throws {
            let source = try StoreLocation(explicitPath: from).open(.readOnly)
            let targetLocation = StoreLocation(explicitPath: to)
            let target = try targetLocation.open(.createIfMissing, durability: .full)
            let copied = try source.copy(to: target)
            if json {
                try Output.json(CopyJSON(copied: copied, to: targetLocation.displayName))
            } else {
                Output.line("Copied \(copied) instance\(copied == 1 ? "" : "s") to \(targetLocation.displayName).")
            }
        }
    }
}
