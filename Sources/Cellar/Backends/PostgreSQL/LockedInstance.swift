#if PostgreSQL
/// What a PostgreSQL write transaction knows of an instance whose row it
/// has locked: read under the lock, it stays true until the transaction
/// writes to the instance or ends, so the transaction's reads of it are
/// served from memory.
struct LockedInstance {
    /// The newest version of each cell read so far, by name; a nil value
    /// means the cell has none.
    private(set) var cells: [String: HistoryRecord?] = [:]
    /// Whether ``cells`` holds every cell the instance has, so that a name
    /// it lacks has no version.
    private(set) var isComplete = false
    /// The sequence of the instance's newest version (0 for none); nil
    /// while it is not known.
    var lastSequence: Int64?

    /// An instance just inserted: no cells, no versions.
    static let new = LockedInstance(cells: [:], isComplete: true, lastSequence: 0)

    /// What is known of cell `name`: `.some(nil)` when it has no version,
    /// nil when that is not known.
    func newestVersion(of name: String) -> HistoryRecord?? {
        if let known = cells[name] { return .some(known) }
        return isComplete ? .some(nil) : nil
    }

    /// Every cell's newest version, when all are known.
    var allCells: [HistoryRecord]? {
        isComplete ? cells.values.compactMap { $0 } : nil
    }

    mutating func remember(_ version: HistoryRecord?, of name: String) {
        cells[name] = .some(version)
    }

    /// Remembers every cell at once.
    mutating func rememberAll(_ versions: [HistoryRecord]) {
        cells = Dictionary(versions.map { ($0.name, .some($0)) }) { first, _ in first }
        isComplete = true
        lastSequence = versions.map(\.sequence).max() ?? 0
    }

    /// Cell `name` got a new version, or was rewritten: read it again.
    mutating func changed(_ name: String, sequence: Int64? = nil) {
        cells[name] = nil
        isComplete = false
        if let sequence, let last = lastSequence { lastSequence = max(last, sequence) }
    }

    /// The instance changed in a way that touches more than one cell.
    mutating func forget() {
        self = LockedInstance()
    }
}
#endif
