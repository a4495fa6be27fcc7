/// The rules every factory name, key and cell name follows.
///
/// A name is 1 to 255 bytes of UTF-8, neither starts nor ends with white
/// space, and holds no control characters, line separators, `/` or `\`.
/// Quotes, spaces inside, SQL and any other Unicode are fine: names only ever
/// reach SQLite as bound values. `/` is kept out so `factory/key` names one
/// instance without ambiguity, and so a name can never act as a file path.
package enum NameRules {
    package static let maximumByteCount = 255

    /// Throws ``CellError/invalidName(kind:name:reason:)`` with the first rule `name` breaks.
    package static func validate(_ name: String, as kind: String) throws(CellError) {
        if let reason = violation(in: name) {
            throw CellError.invalidName(kind: kind, name: name, reason: reason)
        }
    }

    /// The first rule `name` breaks, said as a reason; nil when it breaks none.
    package static func violation(in name: String) -> String? {
        if name.isEmpty {
            return "it is empty"
        }
        if name.utf8.count > maximumByteCount {
            return "it is longer than \(maximumByteCount) bytes"
        }
        // Most names are printable ASCII: checked by their bytes, whose only
        // white space is the space. (The Unicode checks below cost a restore
        // a sixth of its time.)
        let slash = UInt8(ascii: "/"), backslash = UInt8(ascii: "\\"), space = UInt8(ascii: " ")
        if name.utf8.allSatisfy({ $0 >= space && $0 < 0x7F && $0 != slash && $0 != backslash }) {
            return name.utf8.first == space || name.utf8.last == space ? "it starts or ends with white space" : nil
        }
        if name.first!.isWhitespace || name.last!.isWhitespace {
            return "it starts or ends with white space"
        }
        for scalar in name.unicodeScalars {
            switch scalar.properties.generalCategory {
            case .control, .lineSeparator, .paragraphSeparator:
                return "it contains a control character"
            default:
                break
            }
            if scalar == "/" || scalar == "\\" {
                return "it contains '\(scalar)'"
            }
        }
        return nil
    }
}
