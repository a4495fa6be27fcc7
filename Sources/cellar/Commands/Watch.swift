import ArgumentParser
import Cellar
import CellarCLI
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension CellarTool {
    struct Watch: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "watch",
            abstract: "Print each change as it is committed, by any process or host, until interrupted.",
            discussion: """
                One line per change: its store-wide number, time, instance, operation and the cell's new \
                value ("removed", or "deleted" for a whole instance). Changes to instances that keep \
                history are all shown, in order; without history a burst may show only its last value. \
                Ends on Ctrl-C (exit status 130), or when the reader of its output goes (cellar watch | head -3). \
                Example: cellar watch account/main; cellar watch --after 1200 --json
                """)

        @OptionGroup var options: CellarOptions

        @Argument(help: ArgumentHelp("Watch only this factory's instances, or one instance (factory/key).", valueName: "factory[/key]"))
        var scope: String?

        @Option(help: ArgumentHelp("Start after this change number (a number an earlier watch printed), so that nothing in between is missed while history keeps it.", valueName: "number"))
        var after: Int?

        struct ChangeJSON: Encodable {
            let number: Int
            let time: String
            let instance: String
            let kind: String
            let cell: String?
            let sequence: Int?
            let type: String?
            let value: String?
            let operation: String?
        }

        func validate() throws {
            if let after, after < 0 { throw ValidationError("--after takes a change number, 0 or more.") }
        }

        func run() throws {
            let store = try options.storeOptions.location.open(.existingOnly)
            let changes: Changes
            switch scope {
            case nil:
                changes = store.changes(after: after)
            case let scope? where scope.contains("/"):
                changes = store.changes(of: try InstanceID(parsing: scope), after: after)
            case let factory?:
                try NameRules.validate(factory, as: "factory name")
                changes = store.changes(ofFactoryNamed: factory, after: after)
            }
            let json = options.json
            try WatchLoop.follow(changes) { change in
                let kind = switch change.kind {
                case .set: "set"
                case .removed: "removed"
                case .instanceDeleted: "deleted"
                }
                if json {
                    try Output.json(ChangeJSON(
                        number: change.number, time: formatTimestamp(change.time), instance: change.instance.description, kind: kind,
                        cell: change.cell, sequence: change.sequence, type: change.typeName, value: change.value?.description,
                        operation: change.operation))
                    return
                }
                let what = switch change.kind {
                case .set: "\(change.cell ?? "") = \(change.value?.description ?? "")"
                case .removed: "\(change.cell ?? "") removed"
                case .instanceDeleted: "deleted"
                }
                Output.line("#\(change.number)  \(formatTimestamp(change.time))  \(change.instance)  \(change.operation ?? "-")  \(what)")
            }
        }
    }
}
