/// The cells of this process that are in use, by address: the identity map
/// that makes restoring a key twice give closures sharing the same cells.
///
/// It holds its cells weakly, so memory follows the cells in use, not every
/// cell ever restored. Not thread-safe: the engine's lock guards it.
struct LiveCells {
    private var cells: [CellAddress: WeakCell] = [:]
    private var sweepThreshold = 64

    /// The live cell at `address`, if one is still in use.
    subscript(address: CellAddress) -> AnyObject? {
        cells[address]?.cell
    }

    mutating func register(_ cell: AnyObject, at address: CellAddress) {
        cells[address] = WeakCell(cell: cell)
        if cells.count >= sweepThreshold {
            cells = cells.filter { $0.value.cell != nil }
            sweepThreshold = max(64, cells.count * 2)
        }
    }

    private struct WeakCell {
        weak var cell: AnyObject?
    }
}
