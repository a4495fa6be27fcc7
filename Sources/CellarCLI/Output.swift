import Foundation

/// Writes the tools' output: results on standard output, messages on
/// standard error, each line in one write.
package enum Output {
    /// Prints `line` on standard output.
    package static func line(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    /// Prints `line` on standard error.
    package static func error(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    /// Prints `value` as one line of JSON with sorted keys.
    package static func json(_ value: some Encodable) throws {
        line(try jsonText(value))
    }

    package static func jsonText(_ value: some Encodable, pretty: Bool = false) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted] : [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}

/// `text` in single quotes for a message, with control characters escaped
/// and an enormous text shortened, so the message stays one readable line.
package func display(_ text: String) -> String {
    var shown = ""
    for scalar in text.unicodeScalars.prefix(48) {
        if scalar.properties.generalCategory == .control || scalar == "'" || scalar == "\\" {
            shown += scalar.escaped(asASCII: true)
        } else {
            shown.unicodeScalars.append(scalar)
        }
    }
    if text.unicodeScalars.count > 48 {
        shown += "... (\(text.utf8.count) bytes)"
    }
    return "'\(shown)'"
}
