/// An import that cannot be done as asked; nothing was imported.
public enum ImportError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The data is not a Cellar export this build reads.
    case unsupportedFormat(String)
    /// The data is an export, but something in it cannot be stored.
    case invalid(String)
    /// The store already holds instances the export has.
    case conflict(instances: [InstanceID])

    public var description: String {
        switch self {
        case .unsupportedFormat(let detail):
            "This is not a Cellar export this version can read (\(detail)); nothing was imported."
        case .invalid(let detail):
            "The export cannot be imported: \(detail); nothing was imported."
        case .conflict(let instances):
            "The store already holds \(Self.summary(of: instances)); nothing was imported, import again replacing existing instances to overwrite them."
        }
    }

    /// `a/1, a/2, a/3 and 4 more`: a message's list of instances.
    package static func summary(of instances: [InstanceID]) -> String {
        let shown = instances.prefix(3).map(\.description).joined(separator: ", ")
        return instances.count > 3 ? "\(shown) and \(instances.count - 3) more" : shown
    }
}
