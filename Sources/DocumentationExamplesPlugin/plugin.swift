import Foundation
import PackagePlugin

/// Turns the Swift code blocks of `README.md` and of the DocC articles into
/// functions of the target it is applied to (`DocumentationExamples`): the
/// examples compile, as written, with every build of the tests, and a test
/// runs them.
@main
struct DocumentationExamplesPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) throws -> [Command] {
        let catalog = context.package.directoryURL.appending(path: "Sources/Cellar/Documentation.docc")
        let articles = try FileManager.default.contentsOfDirectory(at: catalog, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "md" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        let documents = [context.package.directoryURL.appending(path: "README.md")] + articles
        let output = context.pluginWorkDirectoryURL.appending(path: "DocumentationExamples.swift")
        return [
            .buildCommand(
                displayName: "Extracting the Swift examples of the README and the DocC articles",
                executable: try context.tool(named: "ExampleExtractor").url,
                arguments: [output.path] + documents.map(\.path),
                inputFiles: documents,
                outputFiles: [output]
            )
        ]
    }
}
