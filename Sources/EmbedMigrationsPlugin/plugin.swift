import Foundation
import PackagePlugin

/// Turns `Migrations/<backend>/*.sql` at the package root into a Swift source
/// file of the `Cellar` module, so each backend's schema travels inside the
/// compiled library.
@main
struct EmbedMigrationsPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) throws -> [Command] {
        let migrations = context.package.directoryURL.appending(path: "Migrations")
        let backends = try FileManager.default.contentsOfDirectory(at: migrations, includingPropertiesForKeys: nil)
        let files = try backends.flatMap { backend in
            try FileManager.default.contentsOfDirectory(at: backend, includingPropertiesForKeys: nil)
                .filter { $0.pathExtension == "sql" }
        }.sorted { $0.path < $1.path }
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedMigrations.swift")
        return [
            .buildCommand(
                displayName: "Embedding \(files.count) schema migrations",
                executable: try context.tool(named: "MigrationEmbedder").url,
                arguments: [output.path] + files.map(\.path),
                inputFiles: files,
                outputFiles: [output]
            )
        ]
    }
}
