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

        func run() throws {
            if let factory { try NameRules.validate(factory, as: "factory name") }
            let store = try options.storeOptions.location.open(.readOnly)
            let instances = try store.read {
                let factories = try factory.map { [$0] } ?? store.factoryNames()
                return try factories.flatMap { factory in
                    try store.keys(of: factory).map { InstanceID(factory: factory, key: $0) }
                }
            }
            if options.json {
                try Output.json(instances)  // [{"factory": ..., "key": ...}]
            } else {
                for instance in instances { Output.line(instance.description) }
            }
        }
    }
}
