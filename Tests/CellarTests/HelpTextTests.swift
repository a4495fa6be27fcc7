@testable import acct
import ArgumentParser
@testable import cellar
import Testing

/// Every command's `--help`, as argument-parser prints it at 80 columns:
/// nothing wider, and no line broken twice (once by hand, once by
/// argument-parser), which left fragments such as "characters," alone on a
/// line under an indented list.
@Suite struct HelpTextTests {
    static let commands: [(root: any ParsableCommand.Type, command: any ParsableCommand.Type)] =
        allCommands(under: Acct.self).map { (Acct.self, $0) } + allCommands(under: CellarTool.self).map { (CellarTool.self, $0) }

    static func allCommands(under command: any ParsableCommand.Type) -> [any ParsableCommand.Type] {
        [command] + command.configuration.subcommands.flatMap { allCommands(under: $0) }
    }

    @Test func helpFitsEightyColumnsWithoutBrokenLines() {
        #expect(Self.commands.count > 20)
        for (root, command) in Self.commands {
            let help = root.helpMessage(for: command, columns: 80)
            let name = command.configuration.commandName ?? "\(command)"
            let lines = help.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            // (argument-parser never wraps its USAGE line)
            for line in lines where !line.hasPrefix("USAGE: ") {
                #expect(line.count <= 80, "\(name): a line of \(line.count) columns: \(line)")
            }
            for (line, next) in zip(lines, lines.dropFirst()) where line.hasPrefix("  ") && !next.isEmpty && !next.hasPrefix(" ") {
                #expect(next.hasSuffix(":") || next == next.uppercased(),
                        "\(name): \(quotedLine(next)) continues the indented line \(quotedLine(line)) at the margin")
            }
            // A paragraph argument-parser wrapped fills its lines: the next
            // line's first word would not have fit on the line before.
            for (line, next) in zip(lines, lines.dropFirst()) where !line.isEmpty && !line.hasPrefix(" ") && !next.hasPrefix(" ")
                && !line.hasSuffix(":") && !next.isEmpty && next != next.uppercased() {
                let firstWord = next.split(separator: " ").first.map(String.init) ?? ""
                #expect(line.count + 1 + firstWord.count > 80 - 2,
                        "\(name): \(quotedLine(line)) ends early, before \(quotedLine(firstWord))")
            }
        }
    }

    private func quotedLine(_ line: String) -> String {
        "'\(line)'"
    }
}
