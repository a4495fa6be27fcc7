/// What writing the history needs to remember between changes: the name of
/// the operation under way, and each instance's last change number.
///
/// Not thread-safe: the engine's lock guards it.
struct HistoryBookkeeping {
    /// The operation names of the enclosing calls, outermost first.
    private var operationNames: [String] = []
    /// Each instance's last change number, and the generation it is good
    /// for: the engine's generation moves whenever another connection may
    /// have added a change, or a transaction rolled back.
    private var lastSequences: [Int64: (sequence: Int64, generation: UInt64)] = [:]
    private static let lastSequencesLimit = 1024

    /// The name the history gives a change made now: the outermost
    /// operation's ("a transfer that deposits is a transfer"), else `fallback`.
    func operation(default fallback: String? = nil) -> String? {
        operationNames.first ?? fallback
    }

    mutating func beginOperation(_ name: String) {
        operationNames.append(name)
    }

    mutating func endOperation() {
        operationNames.removeLast()
    }

    /// The instance's last change number, if known at `generation`.
    func lastSequence(ofInstance rowID: Int64, at generation: UInt64) -> Int64? {
        guard let known = lastSequences[rowID], known.generation == generation else { return nil }
        return known.sequence
    }

    mutating func remember(lastSequence sequence: Int64, ofInstance rowID: Int64, at generation: UInt64) {
        lastSequences[rowID] = (sequence, generation)
    }

    /// Called when a transaction ends: memory follows the instances in use,
    /// so an import or a restore of many instances leaves no entry each behind.
    mutating func endTransaction() {
        if lastSequences.count > Self.lastSequencesLimit { lastSequences.removeAll() }
    }
}
