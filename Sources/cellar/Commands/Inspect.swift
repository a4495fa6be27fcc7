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
            try reportingErrors {
                let name = try InstanceName(parsing: instance)
                let store = try options.storeOptions.location.open(.readOnly)
                guard let inspection = try store.inspect(factory: name.factory, key: name.key) else {
                    throw try name.unknown(in: store)
                }
                if options.json {
                    try Output.json(try store.exportInstance(factory: name.factory, key: name.key))
                    return
                }
                Output.line("\(name)  (state version \(inspection.stateVersion), created \(TimeInput.format(inspection.createdAt)))")
                for cell in inspection.cells {
                    Output.line("  \(cell.name): \(cell.typeName) = \(cell.value)")
                }
            }
        }
    }
}
