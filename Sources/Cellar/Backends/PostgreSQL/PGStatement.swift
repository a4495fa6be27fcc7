#if PostgreSQL
/// The SQL of a statement that ``PGConnection`` prepares once per
/// connection and then runs by name.
///
/// Written as a string literal, a statement is known to the connection's
/// cache by the literal's address in the program, so finding its prepared
/// name hashes 8 bytes instead of its whole text. (An update runs eight
/// statements; its client side took 82,600 instructions with the text
/// hashed, 80,000 with seven of the eight found by address.) SQL built at
/// run time (interpolated) is known by its text, as any string would be.
struct PGStatement: ExpressibleByStringInterpolation, Sendable {
    /// How the cache of prepared statements tells statements apart.
    enum CacheKey: Hashable {
        /// A literal, by the address of its text: literals stay where they
        /// are for the life of the program.
        case literal(UInt)
        case text(String)
    }

    private enum Text: Sendable {
        case literal(StaticString)
        case built(String)
    }

    private let text: Text

    init(stringLiteral literal: StaticString) {
        text = .literal(literal)
    }

    init(stringInterpolation: Interpolation) {
        text = .built(stringInterpolation.sql)
    }

    /// SQL with values interpolated, such as column lists or a timeout.
    struct Interpolation: StringInterpolationProtocol {
        fileprivate var sql = ""

        init(literalCapacity: Int, interpolationCount: Int) {
            sql.reserveCapacity(literalCapacity + 16 * interpolationCount)
        }

        mutating func appendLiteral(_ literal: StaticString) {
            sql += literal.description
        }

        mutating func appendInterpolation(_ value: some CustomStringConvertible) {
            sql += value.description
        }
    }

    /// SQL made at run time, known to the cache by its text.
    init(_ sql: String) {
        text = .built(sql)
    }

    /// The statement's text.
    var sql: String {
        switch text {
        case .literal(let literal): literal.description
        case .built(let sql): sql
        }
    }

    var cacheKey: CacheKey {
        switch text {
        case .literal(let literal) where literal.hasPointerRepresentation:
            .literal(UInt(bitPattern: literal.utf8Start))
        case .literal(let literal):
            .text(literal.description)
        case .built(let sql):
            .text(sql)
        }
    }
}
#endif
