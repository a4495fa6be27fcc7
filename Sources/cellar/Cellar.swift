import ArgumentParser
import Cellar
import CellarCLI

@main
struct CellarTool: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cellar",
        abstract: "Look after a Cellar store: instances, integrity, migrations, export, snapshots, history, backups.",
        discussion: """
            A store holds instances of factories, each named FACTORY/KEY (e.g. account/main), and \
            their cells. `cellar` reads them without changing them, except for `migrate`, \
            `import` and `delete`.

            NAMES
              Factory names and keys are 1 to 255 bytes of UTF-8 with no control
              characters, no '/' or '\\', and no white space at either end.

            STORE
              --store PATH, else $CELLAR_STORE, else $XDG_DATA_HOME/cellar/store.sqlite
              (~/.local/share/cellar/store.sqlite without XDG_DATA_HOME): the store
              `acct` uses too.

            EXAMPLES
              cellar list account
              cellar inspect account/main
              cellar check
              cellar export backup.json && cellar --store copy.sqlite import backup.json
              cellar delete account/old --yes
              cellar snapshot create before-import
              cellar snapshot revert before-import --only account
              cellar backup nightly.sqlite && cellar --store nightly.sqlite check
              cellar copy --from store.sqlite --to postgresql://app@db/app
              cellar history account/main --since 2026-11-23T00:00:00Z
              cellar rewind account/main --to-seq 3
              cellar history prune --older-than 30d
              cellar watch account --json

            \(ExitStatus.helpText)
            """,
        version: "0.1.0",
        subcommands: [List.self, Inspect.self, Check.self, Migrate.self, Export.self, Import.self, Delete.self,
                      Snapshot.self, Backup.self, History.self, Rewind.self, Copy.self, Watch.self]
    )

    /// Runs `cellar` with `--store` and `--json` accepted before the subcommand.
    static func main() {
        runAsRoot(StoreOptions.movingLeadingOptions(Array(CommandLine.arguments.dropFirst())))
    }
}

/// The options every `cellar` command takes.
struct CellarOptions: ParsableArguments {
    @OptionGroup var storeOptions: StoreOptions

    @Flag(help: "Print the result as JSON.")
    var json = false
}

extension CellarOptions {
    /// The store, opened with `access`, and the instance `text` names, which
    /// must be in it: what every command on one instance starts with.
    ///
    /// - Throws: ``CommandError`` (exit 64) for a name that is not
    ///   `FACTORY/KEY`; (exit 1) for an instance the store does not hold.
    func openWithInstance(_ text: String, access: Store.Access) throws -> (store: Store, instance: InstanceID) {
        let id = try InstanceID(parsing: text)
        let store = try storeOptions.location.open(access)
        guard try store.contains(id) else { throw try unknownInstance(id, in: store) }
        return (store, id)
    }
}

/// "No instance 'account/mian'. Did you mean 'account/main'? ..." (exit status 1).
func unknownInstance(_ id: InstanceID, in store: Store) throws -> CommandError {
    let keys = try store.keys(of: id.factory)
    if let suggestion = closestMatch(to: id.key, in: keys) {
        let match = InstanceID(factory: id.factory, key: suggestion)
        return .refused("No instance '\(id)'. Did you mean '\(match)'? ('cellar list \(id.factory)' shows them)")
    }
    return .refused("No instance '\(id)' in the store ('cellar list' shows what there is).")
}
