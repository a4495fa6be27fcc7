/// Names one instance of a store: the factory that builds it and its key,
/// written `factory/key`, as in `account/main`.
///
/// For example:
///
/// ```swift
/// let main = InstanceID(factory: "account", key: "main")
/// try store.inspect(main)?.cells
/// let same = try InstanceID(parsing: "account/main")   // == main
/// print(same)                                           // account/main
/// ```
///
/// Neither part may contain `/` (see <doc:KeysAndNames>), so the text form
/// names one instance without ambiguity. As JSON it is
/// `{"factory": "account", "key": "main"}`.
public struct InstanceID: Hashable, Sendable, Comparable, Codable, CustomStringConvertible {
    /// The name of the factory that builds the instance.
    public let factory: String
    /// The key that names the instance among the factory's.
    public let key: String

    /// The instance `factory/key`. The names are checked where they are
    /// used: a store refuses an instance whose names break the rules.
    public init(factory: String, key: String) {
        self.factory = factory
        self.key = key
    }

    /// Reads `factory/key`, splitting at the first `/`.
    ///
    /// - Throws: ``CellError/invalidName(kind:name:reason:)`` when there is
    ///   no `/`, or either part breaks the naming rules.
    public init(parsing text: String) throws(CellError) {
        guard let slash = text.firstIndex(of: "/") else {
            throw CellError.invalidName(kind: "instance name", name: text, reason: "it is not FACTORY/KEY, such as account/main")
        }
        self.init(factory: String(text[..<slash]), key: String(text[text.index(after: slash)...]))
        try validate()
    }

    /// `factory/key`.
    public var description: String {
        factory + "/" + key
    }

    /// Sorted by factory, then key.
    public static func < (lhs: InstanceID, rhs: InstanceID) -> Bool {
        (lhs.factory, lhs.key) < (rhs.factory, rhs.key)
    }

    /// Throws ``CellError/invalidName(kind:name:reason:)`` if the factory
    /// name or the key breaks the naming rules.
    package func validate() throws(CellError) {
        try NameRules.validate(factory, as: "factory name")
        try NameRules.validate(key, as: "key")
    }
}
