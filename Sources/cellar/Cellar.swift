import ArgumentParser
import Cellar
import CellarCLI

@main
struct CellarTool: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cellar",
        abstract: "Look after a Cellar store: instances, integrity, migrations, export, snapshots, history, backups.",
        discussion: """
            A store holds closure instances, each named FACTORY/KEY (e.g. account/main), and \
            their cells. `cellar` reads them without changing them, except for `migrate`, \
            `import` and `delete`.

            NAMES
              Factory names and keys are 1 to 255 bytes of UTF-8 with no control characters,
              no '/' or '\\', and no white space at either end.

            STORE
              --store PATH, else $CELLAR_STORE, else $XDG_DATA_HOME/cellar/store.sqlite
              (~/.local/share/cellar/store.sqlite without XDG_DATA_HOME): the same store `acct` uses.

            EXAMPLES
              cellar list account
              cellar inspect account/main
              cellar check
              cellar export backup.json && cellar --store copy.sqlite import backup.json
              cellar delete account/old --yes
              cellar snapshot create before-import && cellar snapshot restore before-import --only account
              cellar backup nightly.sqlite && cellar --store nightly.sqlite check
              cellar history account/main --since 2026-11-23T00:00:00Z
              cellar rewind account/main --to-seq 3
              cellar history prune --older-than 30d

            \(ExitStatus.helpText)
            """,
        version: "0.1.0",
        subcommands: [List.self, Inspect.self, Check.self, Migrate.self, Export.self, Import.self, Delete.self,
                      Snapshot.self, Backup.self, History.self, Rewind.self]
    )

    /// Runs `cellar` with `--store` and `--json` accepted before the subcommand.
    static func main() {
        main(StoreOptions.movingLeadingOptions(Array(CommandLine.arguments.dropFirst())))
    }
}

/// The options every `cellar` command takes.
struct CellarOptions: ParsableArguments {
    @OptionGroup var storeOptions: StoreOptions

    @Flag(help: "Print the result as JSON.")
    var json = false
}

/// `FACTORY/KEY` as typed: split at the first `/` and checked against the naming rules.
struct InstanceName: Sendable, CustomStringConvertible {
    let factory: String
    let key: String

    init(parsing text: String) throws {
        guard let slash = text.firstIndex(of: "/") else {
            throw CommandError.badInput("\(display(text)) does not name an instance; write FACTORY/KEY, e.g. account/main.")
        }
        factory = String(text[..<slash])
        key = String(text[text.index(after: slash)...])
        try NameRules.validate(factory, as: "factory name")
        try NameRules.validate(key, as: "key")
    }

    var description: String { "\(factory)/\(key)" }

    /// "No instance 'account/mian'. Did you mean 'account/main'? ..." (exit status 1).
    func unknown(in store: Store) throws -> CommandError {
        let keys = try store.keys(of: factory)
        if let suggestion = closestMatch(to: key, in: keys) {
            return .refused("No instance '\(self)'. Did you mean '\(factory)/\(suggestion)'? ('cellar list \(factory)' shows them)")
        }
        return .refused("No instance '\(self)' in the store ('cellar list' shows what there is).")
    }
}
