// swift-tools-version:6.1

import PackageDescription

// The benchmark suite: its own package, so the main build stays lean.
// Run from the repository's root: swift run --package-path Benchmarks -c release cellar-bench
let package = Package(
    name: "CellarBenchmarks",
    dependencies: [
        .package(name: "Cellar", path: ".."),
        // The peer a user would otherwise reach for.
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // The floor: the same work done by C code calling libsqlite3 directly.
        .target(name: "SQLiteFloor", linkerSettings: [.linkedLibrary("sqlite3")]),
        // The PostgreSQL floor: the same work done by C code calling libpq.
        .systemLibrary(name: "CLibPQFloor", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .target(name: "PostgreSQLFloor", dependencies: ["CLibPQFloor"]),
        .executableTarget(
            name: "cellar-bench",
            dependencies: [
                .product(name: "Cellar", package: "Cellar"), "SQLiteFloor", "PostgreSQLFloor",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
    ]
)
