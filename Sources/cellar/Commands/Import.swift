import ArgumentParser
import Cellar
import CellarCLI
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension CellarTool {
    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Add the instances of a `cellar export` file to the store, atomically.",
            discussion: "All or nothing. Refused (exit 1) if the store already holds any of them, unless --replace.")

        @OptionGroup var options: CellarOptions

        @Argument(help: "A file written by `cellar export`.")
        var file: String

        @Flag(help: "Replace instances the store already holds.")
        var replace = false

        struct Summary: Encodable {
            let imported: Int
        }

        func run() throws {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw CommandError.badInput("Cannot read '\(file)'; check that it exists and that you may read it.")
            }
            let export: StoreExport
            do {
                export = try JSONDecoder().decode(StoreExport.self, from: data)
            } catch {
                throw CommandError.badInput("'\(file)' is not a Cellar export (\(Self.reason(error))); nothing was imported.")
            }
            let store = try options.storeOptions.location.open(.createIfMissing)
            do {
                let count = try store.importInstances(export, replacingExisting: replace)
                if options.json {
                    try Output.json(Summary(imported: count))
                } else {
                    Output.line("Imported \(count) instance\(count == 1 ? "" : "s").")
                }
            } catch ImportError.conflict(let instances) {
                throw CommandError.refused("The store already holds \(ImportError.summary(of: instances)); nothing was imported (add --replace to overwrite them).")
            }
        }

        private static func reason(_ error: any Error) -> String {
            switch error {
            case DecodingError.keyNotFound(let key, _): "'\(key.stringValue)' is missing"
            case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context),
                 DecodingError.dataCorrupted(let context):
                context.codingPath.isEmpty ? "it is not valid JSON"
                    : "bad value at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
            default: "it is not valid JSON"
            }
        }
    }
}
