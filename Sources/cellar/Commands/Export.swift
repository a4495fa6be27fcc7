import ArgumentParser
import Cellar
import CellarCLI
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension CellarTool {
    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "export",
            abstract: "Write the whole store as JSON, to FILE or standard output.",
            discussion: "Read in one consistent snapshot while other processes may keep writing. `cellar import` reads it back.")

        @OptionGroup var storeOptions: StoreOptions

        @Argument(help: "The file to write; standard output without it.")
        var file: String?

        @Flag(help: "Overwrite FILE if it exists.")
        var force = false

        func run() throws {
            if let file, !force, FileManager.default.fileExists(atPath: file) {
                throw CommandError.refused("The file '\(file)' exists already; choose another name or add --force to overwrite it.")
            }
            let store = try storeOptions.location.open(.readOnly)
            let text = try Output.jsonText(try store.exportInstances(), pretty: true)
            guard let file else {
                Output.line(text)
                return
            }
            do {
                try Data((text + "\n").utf8).write(to: URL(fileURLWithPath: file), options: .atomic)
            } catch {
                throw CommandError("Cannot write '\(file)' (\(error)); check the folder and its permissions.",
                                   status: .storeUnusable)
            }
        }
    }
}
