// swift-tools-version:6.1

import PackageDescription

// The benchmark suite: its own package, so the main build stays lean.
// Run from this folder: swift run -c release cellar-bench
let package = Package(
    name: "CellarBenchmarks",
    dependencies: [
        .package(name: "Cellar", path: ".."),
    ],
    targets: [
        // The floor: the same work done by C code calling libsqlite3 directly.
        .target(name: "SQLiteFloor", linkerSettings: [.linkedLibrary("sqlite3")]),
        .executableTarget(
            name: "cellar-bench",
            dependencies: [.product(name: "Cellar", package: "Cellar"), "SQLiteFloor"]
        ),
    ]
)
