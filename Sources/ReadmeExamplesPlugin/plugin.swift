import Foundation
import PackagePlugin

/// Turns the Swift code blocks of `README.md` into one function of the
/// target it is applied to, `readmeExamples()`: the README's examples
/// compile, as written, with every build of the tests, and a test runs them.
@main
struct ReadmeExamplesPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) throws -> [Command] {
        let readme = context.package.directoryURL.appending(path: "README.md")
        let output = context.pluginWorkDirectoryURL.appending(path: "ReadmeExamples.swift")
        return [
            .buildCommand(
                displayName: "Extracting the README's Swift examples",
                executable: try context.tool(named: "ReadmeExtractor").url,
                arguments: [readme.path, output.path],
                inputFiles: [readme],
                outputFiles: [output]
            )
        ]
    }
}
