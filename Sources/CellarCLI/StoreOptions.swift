package import ArgumentParser
package import Cellar
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `--store PATH`: which store a command works on. Shared by `acct` and
/// `cellar`, so both find the same store by default.
package struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "The store: a file, or a postgresql:// URL.",
        discussion: "Default: $CELLAR_STORE, else $XDG_DATA_HOME/cellar/store.sqlite, else ~/.local/share/cellar/store.sqlite.",
        valueName: "path-or-url"))
    package var store: String?

    package init() {}

    /// Where the store is, as these options say.
    package var location: StoreLocation {
        StoreLocation(explicitPath: store)
    }
}

/// Which store file a command works on, and how it is opened.
package struct StoreLocation: Sendable {
    /// The path given with `--store`, if any.
    package let explicitPath: String?

    package init(explicitPath: String?) {
        self.explicitPath = explicitPath
    }

    /// The store's path: `--store`, else `CELLAR_STORE`, else the XDG data folder.
    package func path(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let explicitPath, !explicitPath.isEmpty { return explicitPath }
        if let path = environment["CELLAR_STORE"], !path.isEmpty { return path }
        let dataHome: String
        if let xdg = environment["XDG_DATA_HOME"], xdg.hasPrefix("/") {
            dataHome = xdg
        } else {
            dataHome = (environment["HOME"] ?? FileManager.default.homeDirectoryForCurrentUser.path) + "/.local/share"
        }
        return dataHome + "/cellar/store.sqlite"
    }

    /// Opens the store: a `postgresql://` URL in its database, a path as a
    /// file, created (folder 0700, file 0600) if `access` allows.
    package func open(_ access: Store.Access, durability: Durability = .normal, automaticSnapshotsKept: Int = 10) throws -> Store {
        let path = path()
        let options = Store.Options(durability: durability, access: access, automaticSnapshotsKept: automaticSnapshotsKept)
        if access == .createIfMissing && !PostgreSQLURL.isURL(path) {
            try createPrivately(path)
        }
        return try Store.open(path, options: options)
    }

    /// The store's migrations, read without changing it.
    package func migrationStatus() throws -> MigrationStatus {
        try Store.migrationStatus(of: path())
    }

    /// The store as messages name it: a URL without its password.
    package var displayName: String {
        let path = path()
        return PostgreSQLURL.isURL(path) ? (try? PostgreSQLURL(path).redacted) ?? "the PostgreSQL store" : path
    }

    /// Creates a missing store file readable by its owner only, in folders
    /// the same; SQLite's `-wal` and `-shm` files take the file's mode.
    private func createPrivately(_ path: String) throws {
        let folder = folder(of: path)
        if !FileManager.default.fileExists(atPath: folder) {
            do {
                try FileManager.default.createDirectory(
                    atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw StoreError.cannotOpen(path: path, reason: "cannot create the folder '\(folder)'")
            }
        }
        // When it fails, the file is there (maybe another process just made
        // it), or SQLite's own open reports what is wrong.
        _ = Platform.createFile(at: path, mode: 0o600)
    }
}

extension StoreOptions {
    /// The command line with the shared options typed before the subcommand
    /// (`cellar --store copy.sqlite check`) moved behind it, where the
    /// subcommand reads them.
    package static func movingLeadingOptions(_ arguments: [String]) -> [String] {
        var leading: [String] = []
        var rest = arguments[...]
        while let first = rest.first {
            if first == "--store", rest.count >= 2 {
                leading += rest.prefix(2)
                rest = rest.dropFirst(2)
            } else if first.hasPrefix("--store=") || first == "--json" {
                leading.append(first)
                rest = rest.dropFirst()
            } else {
                break
            }
        }
        guard !leading.isEmpty, !rest.isEmpty else { return arguments }
        var moved = Array(rest)
        let end = moved.firstIndex(of: "--") ?? moved.endIndex
        moved.insert(contentsOf: leading, at: end)
        return moved
    }
}
