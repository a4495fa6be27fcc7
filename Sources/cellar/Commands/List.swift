import ArgumentParser
import Cellar
import CellarCLI

extension CellarTool {
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List the instances in the store, as FACTORY/KEY, sorted.",
            discussion: "Example: cellar list account")

        @OptionGroup var options: CellarOptions

        @Argument(help: "Only this factory's instances.")
        var factory: String?

        struct Entry: Encodable {
            let factory: String
            let key: String
        }

        func run() throws {
            try reportingErrors {
                if let factory { try NameRules.validate(factory, as: "factory name") }
                let store = try options.storeOptions.location.open(.readOnly)
                let factories = try factory.map { [$0] } ?? store.factoryNames()
                let entries = try factories.flatMap { factory in
                    try store.keys(of: factory).map { Entry(factory: factory, key: $0) }
                }
                if options.json {
                    try Output.json(entries)
                } else {
                    for entry in entries { Output.line("\(entry.factory)/\(entry.key)") }
                }
            }
        }
    }
}
