/// A history or rewind that cannot be done as asked; nothing changed.
public enum HistoryError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The store has no such instance.
    case unknownInstance(InstanceID)
    /// The instance's factory does not record history.
    case historyOff(InstanceID)
    /// The time or number asked for is before the history the store keeps.
    case beforeHistory(instance: InstanceID, earliest: String?)
    /// The instance has no history entry with this number.
    case unknownSequence(instance: InstanceID, sequence: Int, last: Int)

    public var description: String {
        switch self {
        case .unknownInstance(let instance):
            "There is no instance \(quoted(instance.description)) in the store."
        case .historyOff(let instance):
            "\(instance) keeps no history (its factory switched it off), so it cannot be rewound."
        case .beforeHistory(let instance, let earliest):
            if let earliest {
                "That is before the history of \(instance) begins (\(earliest)); choose a later time or entry."
            } else {
                "\(instance) has no history yet; there is nothing to rewind to."
            }
        case .unknownSequence(let instance, let sequence, let last):
            "\(instance) has no history entry #\(sequence) (its last is #\(last)); choose one its history lists."
        }
    }
}
