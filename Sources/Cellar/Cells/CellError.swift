/// An instance's state that cannot be used as asked: a key or cell name that
/// is not valid, a cell restored as another type than the one stored, an
/// instance that was deleted, or state shaped for a newer factory.
///
/// Every case reads as one sentence that names the instance and the cell;
/// the failed operation changed nothing.
public enum CellError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A key, factory name or cell name breaks the naming rules.
    case invalidName(kind: String, name: String, reason: String)
    /// The cell holds a value of another type than the one asked for.
    case typeMismatch(instance: InstanceID, cell: String, storedType: String, requestedType: String)
    /// The stored value could not be decoded as its declared type: the
    /// failure says where in the value and why, and keeps the decoder's report.
    case undecodable(instance: InstanceID, cell: String, type: String, failure: DecodingFailure)
    /// The value could not be encoded for storage.
    case unencodable(instance: InstanceID, cell: String, type: String, reason: String)
    /// The instance was deleted while this process still held it.
    case instanceDeleted(instance: InstanceID)
    /// The instance has no cell with this name.
    case noSuchCell(instance: InstanceID, cell: String)
    /// A state migration tried to create a cell that exists already.
    case cellExists(instance: InstanceID, cell: String)
    /// The stored state was shaped by a newer version of the factory.
    case newerStateVersion(instance: InstanceID, storedVersion: Int, factoryVersion: Int)

    public var description: String {
        switch self {
        case .invalidName(let kind, let name, let reason):
            "The \(kind) \(quoted(name)) is not valid: \(reason)."
        case .typeMismatch(let instance, let cell, let storedType, let requestedType):
            "Cell '\(cell)' of \(instance) holds \(withArticle(storedType)), not \(withArticle(requestedType)); restore it as \(storedType) or migrate the factory's state."
        case .undecodable(let instance, let cell, let type, let failure):
            "Cell '\(cell)' of \(instance) could not be read as \(withArticle(type)) (\(failure)); fix the value or migrate the factory's state."
        case .unencodable(let instance, let cell, let type, let reason):
            "\(withArticle(type).capitalizedFirst) could not be stored in cell '\(cell)' of \(instance) (\(reason)); nothing was changed."
        case .instanceDeleted(let instance):
            "\(instance) was deleted; restore it again to start it afresh."
        case .noSuchCell(let instance, let cell):
            "\(instance) has no cell named '\(cell)'."
        case .cellExists(let instance, let cell):
            "\(instance) already has a cell named '\(cell)'."
        case .newerStateVersion(let instance, let storedVersion, let factoryVersion):
            "\(instance) was saved by a newer version of its factory (state version \(storedVersion), this one is \(factoryVersion)); upgrade the program to restore it."
        }
    }
}

/// `text` in single quotes for a message, with control characters and
/// quotes escaped and an enormous text shortened, so that the message stays
/// one readable line and shows what was really typed.
package func quoted(_ text: String) -> String {
    let shownLength = 48
    var shown = ""
    for scalar in text.unicodeScalars.prefix(shownLength) {
        if scalar.properties.generalCategory == .control || scalar == "'" || scalar == "\\" {
            shown += scalar.escaped(asASCII: true)
        } else {
            shown.unicodeScalars.append(scalar)
        }
    }
    if text.unicodeScalars.count > shownLength {
        shown += "... (\(text.utf8.count) bytes)"
    }
    return "'\(shown)'"
}

extension String {
    /// The text with its first letter in capitals: `A Double`.
    fileprivate var capitalizedFirst: String {
        prefix(1).uppercased() + dropFirst()
    }
}
