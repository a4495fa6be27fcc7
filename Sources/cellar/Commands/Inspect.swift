import ArgumentParser
import Cellar
import CellarCLI
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension CellarTool {
    struct Inspect: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "inspect",
            abstract: "Show an instance's cells: names, types and values (read-only).",
            discussion: "Example: cellar inspect account/main")

        @OptionGroup var options: CellarOptions

        @Argument(help: ArgumentHelp("The instance, e.g. account/main.", valueName: "factory/key"))
        var instance: String

        func run() throws {
            let (store, id) = try options.openWithInstance(instance, access: .readOnly)
            if options.json {
                guard let exported = try store.exportInstance(id) else { throw try unknownInstance(id, in: store) }
                try Output.json(exported)
                return
            }
            guard let inspection = try store.inspect(id) else { throw try unknownInstance(id, in: store) }
            Output.line("\(id)  (state version \(inspection.stateVersion), created \(formatTimestamp(inspection.createdAt)))")
            for cell in inspection.cells {
                Output.line("  \(cell.name): \(cell.typeName) = \(cell.value)")
            }
        }
    }
}
