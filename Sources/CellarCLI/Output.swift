#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes the tools' output: results on standard output, messages on
/// standard error, each line in one write where the system allows.
///
/// The tools use FoundationEssentials rather than Foundation: it spares
/// every command loading ICU, which was most of a short command's time.
package enum Output {
    /// Prints `line` on standard output.
    package static func line(_ line: String) {
        write(line + "\n", to: STDOUT_FILENO)
    }

    /// Prints `line` on standard error.
    package static func error(_ line: String) {
        write(line + "\n", to: STDERR_FILENO)
    }

    /// Prints `text` on standard error without ending the line: a prompt.
    package static func prompt(_ text: String) {
        write(text, to: STDERR_FILENO)
    }

    private static func write(_ text: String, to descriptor: Int32) {
        var text = text
        text.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = Platform.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else { return }  // a closed pipe: nothing more to say
                offset += written
            }
        }
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

/// `text` followed by spaces up to `width` characters: a table column.
package func padded(_ text: String, to width: Int) -> String {
    text + String(repeating: " ", count: max(0, width - text.count))
}
