// swift-tools-version:6.1

import PackageDescription

let package = Package(
    name: "Cellar",
    // Linux is built and tested; macOS is expected to work (FoundationEssentials
    // or Foundation, Glibc or Darwin), but cannot be built here.
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "Cellar", targets: ["Cellar"]),
        .executable(name: "acct", targets: ["acct"]),
        .executable(name: "cellar", targets: ["cellar"]),
        .executable(name: "cellar-tour", targets: ["cellar-tour"]),
    ],
    // PostgreSQL stores (`postgresql://` URLs) need libpq (Debian: libpq-dev)
    // to build and link. A SQLite-only user turns the trait off, e.g.
    // `.package(path: "../Cellar", traits: [])`, and needs neither.
    traits: [
        .trait(name: "PostgreSQL", description: "Stores in PostgreSQL databases, through libpq."),
        .default(enabledTraits: ["PostgreSQL"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // libsqlite3 from the system (Debian: libsqlite3-dev).
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),

        // libpq from the system (Debian: libpq-dev): PostgreSQL's own C client.
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
        ),

        // Atomics and futexes on memory that processes share: a SQLite
        // store's change journal, which wakes watchers in other processes.
        .target(name: "CSharedMemory"),

        // Migrations/*.sql is the schema's only source of truth: this plugin
        // embeds the files into the Cellar module at build time, so an installed
        // binary needs no source tree beside it.
        .executableTarget(name: "MigrationEmbedder"),
        .plugin(
            name: "EmbedMigrationsPlugin",
            capability: .buildTool(),
            dependencies: ["MigrationEmbedder"],
            path: "Sources/EmbedMigrationsPlugin"
        ),

        .target(
            name: "Cellar",
            dependencies: ["CSQLite", "CSharedMemory", .target(name: "CLibPQ", condition: .when(traits: ["PostgreSQL"]))],
            plugins: ["EmbedMigrationsPlugin"]
        ),

        // What the two command-line tools share: store options, output, errors.
        .target(
            name: "CellarCLI",
            dependencies: ["Cellar", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // Durable bank accounts from the shell.
        .executableTarget(
            name: "acct",
            dependencies: ["Cellar", "CellarCLI", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // The store's administration tool.
        .executableTarget(
            name: "cellar",
            dependencies: ["Cellar", "CellarCLI", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),

        // `swift package install-tools [--prefix PREFIX] [--uninstall]`: acct and
        // cellar built static, in PREFIX/bin, with shell completions.
        .plugin(
            name: "InstallToolsPlugin",
            capability: .command(
                intent: .custom(verb: "install-tools", description: "Install acct and cellar, static, with shell completions")
            ),
            path: "Sources/InstallToolsPlugin"
        ),

        // The seeds' Python closures, durable: used by the tour and the tests.
        .target(name: "CellarExamples", dependencies: ["Cellar"]),

        // A guided tour of the examples. Run it twice.
        .executableTarget(name: "cellar-tour", dependencies: ["Cellar", "CellarExamples"]),

        // The README's Swift code blocks, compiled into the test child with
        // every build of the tests (and run by a test): the examples cannot rot.
        .executableTarget(name: "ExampleExtractor"),
        .plugin(
            name: "DocumentationExamplesPlugin",
            capability: .buildTool(),
            dependencies: ["ExampleExtractor"],
            path: "Sources/DocumentationExamplesPlugin"
        ),

        // The child process that restart, crash and concurrency tests start.
        .executableTarget(
            name: "CellarTestChild",
            dependencies: ["Cellar", "CellarExamples"],
            path: "Tests/CellarTestChild",
            plugins: ["DocumentationExamplesPlugin"]
        ),
        .testTarget(
            name: "CellarTests",
            dependencies: [
                "Cellar", "CellarExamples", "CellarCLI", "CSQLite", "CellarTestChild", "acct", "cellar",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
    ]
)

for target in package.targets where target.type != .system && target.type != .plugin && target.name != "CSharedMemory" {
    var settings = target.swiftSettings ?? []
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    settings.append(.enableUpcomingFeature("MemberImportVisibility"))
    settings.append(.enableUpcomingFeature("InternalImportsByDefault"))
    target.swiftSettings = settings
}
