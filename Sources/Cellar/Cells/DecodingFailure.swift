/// Why a stored value could not be read as its cell's type: where in the
/// value, and what was wrong there.
///
/// For example, a cell of `Cash` whose stored JSON holds `"cents": "lots"`:
/// ``codingPath`` is `cents`, ``problem`` is `expected an Int`, and
/// ``description`` reads `at 'cents': expected an Int`.
public struct DecodingFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// Where decoding failed, as `items[2].price`; empty for the value itself.
    public let codingPath: String
    /// What was wrong there, in a few words.
    public let problem: String
    /// The decoder's own report in full, for logs; not part of ``description``.
    public let detail: String

    init(codingPath: String = "", problem: String, detail: String? = nil) {
        self.codingPath = codingPath
        self.problem = problem
        self.detail = detail ?? problem
    }

    /// The failure a `DecodingError` or `EncodingError` reports, said briefly.
    init(_ error: any Error) {
        let detail = String(describing: error)
        switch error {
        case DecodingError.typeMismatch(let type, let context):
            self.init(codingPath: Self.path(context.codingPath), problem: "expected \(withArticle(swiftTypeName(of: type)))", detail: detail)
        case DecodingError.valueNotFound(let type, let context):
            self.init(codingPath: Self.path(context.codingPath), problem: "expected \(withArticle(swiftTypeName(of: type))), found null",
                      detail: detail)
        case DecodingError.keyNotFound(let key, let context):
            self.init(codingPath: Self.path(context.codingPath + [key]), problem: "the field is missing", detail: detail)
        case DecodingError.dataCorrupted(let context):
            self.init(codingPath: Self.path(context.codingPath), problem: Self.sentenceFragment(context.debugDescription), detail: detail)
        case EncodingError.invalidValue(_, let context):
            self.init(codingPath: Self.path(context.codingPath), problem: Self.sentenceFragment(context.debugDescription), detail: detail)
        default:
            self.init(problem: Self.sentenceFragment(detail), detail: detail)
        }
    }

    /// `at 'items[2].price': expected an Int`, or the problem alone for the whole value.
    public var description: String {
        codingPath.isEmpty ? problem : "at \(quoted(codingPath)): \(problem)"
    }

    /// `items[2].price`.
    private static func path(_ keys: [any CodingKey]) -> String {
        var path = ""
        for key in keys {
            if let index = key.intValue, key.stringValue.hasPrefix("Index ") || key.stringValue == String(index) {
                path += "[\(index)]"
            } else {
                path += (path.isEmpty ? "" : ".") + key.stringValue
            }
        }
        return path
    }

    /// A decoder's sentence as part of ours: no final period, first letter small.
    private static func sentenceFragment(_ text: String) -> String {
        var fragment = text.hasSuffix(".") ? String(text.dropLast()) : text
        if let first = fragment.first, first.isUppercase, fragment.dropFirst().first?.isLowercase == true {
            fragment = first.lowercased() + fragment.dropFirst()
        }
        return fragment
    }
}

/// `a Double`, `an Int`: a type's name with its indefinite article, for messages.
func withArticle(_ typeName: String) -> String {
    let startsWithVowel = typeName.first.map { "AEIOUaeiou".contains($0) } ?? false
    return (startsWithVowel ? "an " : "a ") + typeName
}
